//! Dusk's own plan nodes, and the planner that turns them into operators.
//!
//! DataFusion plans everything else; these nodes cover what pandas and Dask users expect
//! and DataFusion has no operator for: input order as a column (stable sorts, `first`),
//! and a user's function over each partition.

mod map_partitions;
mod ordinal;

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::common::Result as DfResult;
use datafusion::execution::context::QueryPlanner;
use datafusion::logical_expr::{LogicalPlan, UserDefinedLogicalNode};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_planner::{DefaultPhysicalPlanner, ExtensionPlanner, PhysicalPlanner};

pub use map_partitions::{BatchFn, MapPartitions, MapPartitionsExec};
pub use ordinal::{OrdinalExec, WithOrdinal};

/// Plans Dusk's nodes; hands everything else back to DataFusion.
#[derive(Debug, Default)]
pub struct DuskExtensionPlanner;

#[async_trait]
impl ExtensionPlanner for DuskExtensionPlanner {
    async fn plan_extension(
        &self,
        planner: &dyn PhysicalPlanner,
        node: &dyn UserDefinedLogicalNode,
        logical_inputs: &[&LogicalPlan],
        physical_inputs: &[Arc<dyn ExecutionPlan>],
        session: &dyn datafusion::catalog::Session,
        planning_ctx: &datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext,
    ) -> DfResult<Option<Arc<dyn ExecutionPlan>>> {
        let any = node.as_any();
        if let Some(node) = any.downcast_ref::<WithOrdinal>() {
            let exec = OrdinalExec::try_new(Arc::clone(&physical_inputs[0]), node.name())?;
            return Ok(Some(Arc::new(exec)));
        }
        if let Some(node) = any.downcast_ref::<MapPartitions>() {
            let input_schema = logical_inputs[0].schema();
            let keys = node
                .keys()
                .iter()
                .map(|k| planner.create_physical_expr(k, input_schema, session, planning_ctx))
                .collect::<DfResult<Vec<_>>>()?;
            let exec = MapPartitionsExec::new(
                Arc::clone(&physical_inputs[0]),
                node.func(),
                keys,
                Arc::new(node.schema().as_arrow().clone()),
            );
            return Ok(Some(Arc::new(exec)));
        }
        Ok(None)
    }
}

/// DataFusion's planner with [`DuskExtensionPlanner`] added.
#[derive(Debug, Default)]
pub struct DuskQueryPlanner;

#[async_trait]
impl QueryPlanner for DuskQueryPlanner {
    async fn create_physical_plan(
        &self,
        logical_plan: &LogicalPlan,
        session_state: &dyn datafusion::catalog::Session,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        DefaultPhysicalPlanner::with_extension_planners(vec![Arc::new(DuskExtensionPlanner)])
            .create_physical_plan(logical_plan, session_state)
            .await
    }
}

/// A plan holding `batches` as literal rows, which (unlike an in-memory table) can be
/// sent to a cluster with the rest of a plan. For small results such as `describe`.
pub fn literal_rows(
    schema: arrow::datatypes::SchemaRef,
    batches: &[arrow::array::RecordBatch],
) -> crate::Result<LogicalPlan> {
    use datafusion::common::{DFSchema, ScalarValue};
    use datafusion::logical_expr::{EmptyRelation, LogicalPlanBuilder, lit};
    let df_schema = Arc::new(DFSchema::try_from(schema.as_ref().clone())?);
    let mut rows = Vec::new();
    for batch in batches {
        for r in 0..batch.num_rows() {
            let row = batch
                .columns()
                .iter()
                .map(|c| ScalarValue::try_from_array(c, r).map(lit))
                .collect::<DfResult<Vec<_>>>()?;
            rows.push(row);
        }
    }
    if rows.is_empty() {
        return Ok(LogicalPlan::EmptyRelation(EmptyRelation {
            produce_one_row: false,
            schema: df_schema,
        }));
    }
    let values = LogicalPlanBuilder::values_with_schema(rows, &df_schema)?;
    // VALUES names its columns column1, column2, ...: give them the batches' names.
    let renamed: Vec<_> = values
        .schema()
        .columns()
        .into_iter()
        .zip(schema.fields())
        .map(|(c, f)| {
            datafusion::logical_expr::cast(
                datafusion::logical_expr::Expr::Column(c),
                f.data_type().clone(),
            )
            .alias(f.name())
        })
        .collect();
    Ok(values.project(renamed)?.build()?)
}

/// Whether `state` sends its plans to a Ballista cluster.
pub fn is_distributed(state: &datafusion::execution::SessionState) -> bool {
    state
        .config()
        .options()
        .extensions
        .get::<ballista_core::config::BallistaConfig>()
        .is_some()
}
