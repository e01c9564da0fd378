//! Input order as a column, so that sorts can be stable and "first" can mean first.
//!
//! A parallel plan has no global row counter, and it needs none: every partition of a
//! file scan holds a contiguous run of the input (files in path order, byte ranges in
//! order), so `partition << 40 | row within partition` grows with input order. The
//! ordinals are not dense, only increasing, which is all a tie-breaker needs; filters may
//! therefore run below this node.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use arrow::array::{RecordBatch, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DFSchema, DFSchemaRef, Result as DfResult};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{Expr, LogicalPlan, UserDefinedLogicalNodeCore};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties, PlanProperties,
    ReplaceChildrenOptions,
};
use futures::StreamExt;

/// Bits of the ordinal left for the row number within a partition (about 10^12 rows).
const ROW_BITS: u32 = 40;

/// Adds the UInt64 column `name` holding each row's position in input order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WithOrdinal {
    input: LogicalPlan,
    name: String,
    schema: DFSchemaRef,
}

impl WithOrdinal {
    /// `input` with the column `name` appended.
    pub fn try_new(input: LogicalPlan, name: impl Into<String>) -> DfResult<Self> {
        let name = name.into();
        let extra = DFSchema::from_unqualified_fields(
            vec![Field::new(&name, DataType::UInt64, false)].into(),
            Default::default(),
        )?;
        let mut schema = input.schema().as_ref().clone();
        schema.merge(&extra);
        Ok(WithOrdinal {
            input,
            name,
            schema: Arc::new(schema),
        })
    }

    /// The ordinal column's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl PartialOrd for WithOrdinal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match self.name.partial_cmp(&other.name) {
            Some(Ordering::Equal) => self.input.partial_cmp(&other.input),
            order => order,
        }
    }
}

impl UserDefinedLogicalNodeCore for WithOrdinal {
    fn name(&self) -> &str {
        "WithOrdinal"
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        vec![&self.input]
    }

    fn schema(&self) -> &DFSchemaRef {
        &self.schema
    }

    fn expressions(&self) -> Vec<Expr> {
        vec![]
    }

    /// Rows removed below this node keep the others' relative order, so only filters on
    /// the ordinal itself must stay above it.
    fn prevent_predicate_push_down_columns(&self) -> HashSet<String> {
        HashSet::from([self.name.clone()])
    }

    fn fmt_for_explain(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "WithOrdinal: {}", self.name)
    }

    fn with_exprs_and_inputs(
        &self,
        _exprs: Vec<Expr>,
        mut inputs: Vec<LogicalPlan>,
    ) -> DfResult<Self> {
        WithOrdinal::try_new(inputs.swap_remove(0), self.name.clone())
    }

    fn necessary_children_exprs(&self, output_columns: &[usize]) -> Option<Vec<Vec<usize>>> {
        let n = self.input.schema().fields().len();
        Some(vec![
            output_columns.iter().copied().filter(|&i| i < n).collect(),
        ])
    }

    fn supports_limit_pushdown(&self) -> bool {
        true
    }
}

/// The physical side of [`WithOrdinal`].
#[derive(Debug)]
pub struct OrdinalExec {
    input: Arc<dyn ExecutionPlan>,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl OrdinalExec {
    /// Appends the ordinal column `name` to `input`'s rows.
    pub fn try_new(input: Arc<dyn ExecutionPlan>, name: &str) -> DfResult<Self> {
        let mut fields: Vec<_> = input.schema().fields().iter().cloned().collect();
        fields.push(Arc::new(Field::new(name, DataType::UInt64, false)));
        let schema = Arc::new(Schema::new_with_metadata(
            fields,
            input.schema().metadata().clone(),
        ));
        let eq = input
            .equivalence_properties()
            .clone()
            .with_new_schema(Arc::clone(&schema))
            .unwrap_or_else(|_| EquivalenceProperties::new(Arc::clone(&schema)));
        let properties = PlanProperties::new(
            eq,
            input.output_partitioning().clone(),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Ok(OrdinalExec {
            input,
            schema,
            properties: Arc::new(properties),
        })
    }

    /// The ordinal column's name.
    pub fn ordinal_name(&self) -> &str {
        self.schema.fields().last().expect("has the ordinal").name()
    }
}

impl DisplayAs for OrdinalExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "OrdinalExec: {}", self.ordinal_name())
    }
}

impl ExecutionPlan for OrdinalExec {
    fn name(&self) -> &'static str {
        "OrdinalExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    /// Splitting the input differently would change which rows count as first.
    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        vec![false]
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn replace_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        Ok(Arc::new(OrdinalExec::try_new(
            children.swap_remove(0),
            self.ordinal_name(),
        )?))
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
        let schema = Arc::clone(&self.schema);
        let mut next = (partition as u64) << ROW_BITS;
        let out = Arc::clone(&schema);
        let stream = input.map(move |batch| {
            let batch = batch?;
            let n = batch.num_rows() as u64;
            let ordinals = UInt64Array::from_iter_values(next..next + n);
            next += n;
            let mut columns = batch.columns().to_vec();
            columns.push(Arc::new(ordinals));
            Ok(RecordBatch::try_new(Arc::clone(&out), columns)?)
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, stream)))
    }
}
