//! A user's Rust function over every record batch of every partition (Dask's
//! `map_partitions`), as a lazy plan node.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::compute::concat_batches;
use arrow::datatypes::SchemaRef;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DFSchema, DFSchemaRef, DataFusionError, Result as DfResult};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{Expr, LogicalPlan, UserDefinedLogicalNodeCore};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, Distribution, ExecutionPlan, ExecutionPlanProperties,
    Partitioning, PlanProperties, ReplaceChildrenOptions, apply_expression_roots,
};
use futures::TryStreamExt;

use crate::error::{Error, Result};

/// The function a [`MapPartitions`] node runs on each partition.
pub type BatchFn = Arc<dyn Fn(RecordBatch) -> Result<RecordBatch> + Send + Sync>;

/// Runs a function once per partition, over the partition's rows as one batch. With
/// `keys`, rows with equal keys are first brought into the same partition, so the
/// function sees whole groups.
#[derive(Clone)]
pub struct MapPartitions {
    input: LogicalPlan,
    func: BatchFn,
    keys: Vec<Expr>,
    schema: DFSchemaRef,
}

impl MapPartitions {
    /// A node running `func` over each of `input`'s partitions, producing `schema`.
    pub fn try_new(
        input: LogicalPlan,
        func: BatchFn,
        keys: Vec<Expr>,
        schema: SchemaRef,
    ) -> DfResult<Self> {
        let schema = Arc::new(DFSchema::try_from(schema.as_ref().clone())?);
        Ok(MapPartitions {
            input,
            func,
            keys,
            schema,
        })
    }

    /// The output schema `func` gives for an empty batch of `input`'s schema: Dask's
    /// "meta" inference, which runs the function on an empty frame.
    pub fn infer_schema(input: &LogicalPlan, func: &BatchFn) -> Result<SchemaRef> {
        let empty = RecordBatch::new_empty(Arc::new(input.schema().as_arrow().clone()));
        let out = func(empty).map_err(|e| {
            Error::Plan(format!(
                "map_partitions could not find its output schema by calling the function on \
                 an empty batch ({e}); declare the schema with map_partitions_with_schema"
            ))
        })?;
        Ok(out.schema())
    }

    /// The hash keys the input is partitioned by, if any.
    pub fn keys(&self) -> &[Expr] {
        &self.keys
    }

    /// The function run on each partition.
    pub fn func(&self) -> BatchFn {
        Arc::clone(&self.func)
    }

    fn id(&self) -> usize {
        Arc::as_ptr(&self.func) as *const () as usize
    }
}

impl fmt::Debug for MapPartitions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapPartitions")
            .field("keys", &self.keys)
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl PartialEq for MapPartitions {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
            && self.keys == other.keys
            && self.input == other.input
            && self.schema == other.schema
    }
}

impl Eq for MapPartitions {}

impl Hash for MapPartitions {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state);
        self.keys.hash(state);
        self.input.hash(state);
    }
}

impl PartialOrd for MapPartitions {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match self.id().cmp(&other.id()) {
            Ordering::Equal => self.input.partial_cmp(&other.input),
            order => Some(order),
        }
    }
}

impl UserDefinedLogicalNodeCore for MapPartitions {
    fn name(&self) -> &str {
        "MapPartitions"
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        vec![&self.input]
    }

    fn schema(&self) -> &DFSchemaRef {
        &self.schema
    }

    fn expressions(&self) -> Vec<Expr> {
        self.keys.clone()
    }

    fn fmt_for_explain(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "MapPartitions")?;
        if !self.keys.is_empty() {
            let keys: Vec<String> = self.keys.iter().map(|k| k.to_string()).collect();
            write!(f, ": by [{}]", keys.join(", "))?;
        }
        Ok(())
    }

    fn with_exprs_and_inputs(
        &self,
        exprs: Vec<Expr>,
        mut inputs: Vec<LogicalPlan>,
    ) -> DfResult<Self> {
        Ok(MapPartitions {
            input: inputs.swap_remove(0),
            func: Arc::clone(&self.func),
            keys: exprs,
            schema: Arc::clone(&self.schema),
        })
    }
}

/// The physical side of [`MapPartitions`].
pub struct MapPartitionsExec {
    input: Arc<dyn ExecutionPlan>,
    func: BatchFn,
    keys: Vec<Arc<dyn PhysicalExpr>>,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl fmt::Debug for MapPartitionsExec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapPartitionsExec")
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

impl MapPartitionsExec {
    /// Runs `func` on each partition of `input`, whose rows are hash-partitioned by
    /// `keys` when there are any.
    pub fn new(
        input: Arc<dyn ExecutionPlan>,
        func: BatchFn,
        keys: Vec<Arc<dyn PhysicalExpr>>,
        schema: SchemaRef,
    ) -> Self {
        let partitions = input.output_partitioning().partition_count();
        let properties = PlanProperties::new(
            EquivalenceProperties::new(Arc::clone(&schema)),
            Partitioning::UnknownPartitioning(partitions),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        MapPartitionsExec {
            input,
            func,
            keys,
            schema,
            properties: Arc::new(properties),
        }
    }
}

impl DisplayAs for MapPartitionsExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "MapPartitionsExec")?;
        if !self.keys.is_empty() {
            let keys: Vec<String> = self.keys.iter().map(|k| k.to_string()).collect();
            write!(f, ": by [{}]", keys.join(", "))?;
        }
        Ok(())
    }
}

impl ExecutionPlan for MapPartitionsExec {
    fn name(&self) -> &'static str {
        "MapPartitionsExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        apply_expression_roots(self.keys.iter(), f)
    }

    fn required_input_distribution(&self) -> Vec<Distribution> {
        if self.keys.is_empty() {
            vec![Distribution::UnspecifiedDistribution]
        } else {
            vec![Distribution::KeyPartitioned(self.keys.clone())]
        }
    }

    fn replace_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        Ok(Arc::new(MapPartitionsExec::new(
            children.swap_remove(0),
            Arc::clone(&self.func),
            self.keys.clone(),
            Arc::clone(&self.schema),
        )))
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        self.replace_children(
            children,
            ReplaceChildrenOptions::new(
                datafusion::physical_plan::ChildrenPropertiesMode::Recompute,
            ),
        )
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DfResult<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context)?;
        let func = Arc::clone(&self.func);
        let schema = Arc::clone(&self.schema);
        let expected = Arc::clone(&schema);
        let in_schema = input.schema();
        // Dask calls the function once per partition, with the whole partition.
        let once = async move {
            let batches: Vec<RecordBatch> = input.try_collect().await?;
            let whole = concat_batches(&in_schema, &batches)?;
            drop(batches);
            let out = func(whole).map_err(|e| DataFusionError::External(Box::new(e)))?;
            if out.schema().fields() != expected.fields() {
                return Err(DataFusionError::External(Box::new(Error::Execution(
                    format!(
                        "map_partitions: the function returned columns {} where {} were \
                     declared (or found on an empty batch)",
                        describe(&out.schema()),
                        describe(&expected)
                    ),
                ))));
            }
            // Keep the declared field names and metadata exactly.
            Ok(RecordBatch::try_new(expected, out.columns().to_vec())?)
        };
        let stream = futures::stream::once(once);
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, stream)))
    }
}

fn describe(schema: &SchemaRef) -> String {
    let fields: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| format!("{}: {}", f.name(), f.data_type()))
        .collect();
    format!("[{}]", fields.join(", "))
}
