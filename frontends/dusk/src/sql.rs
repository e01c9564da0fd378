//! SQL: single queries as lazy frames, and scripts of statements run in order.
//!
//! The dialect is DataFusion's; tables come from [`Session::register`] and straight from
//! quoted paths, globs and folders (`FROM 'trips/*.parquet'`), as in DuckDB.

use std::fmt;
use std::sync::Arc;

use datafusion::logical_expr::LogicalPlan;
use datafusion::logical_expr::dml::CopyTo;
use datafusion::sql::parser::{DFParser, Statement as DfStatement};
use dusk_engine::write::{self, WriteMode};
use dusk_engine::{Error, Result};

use crate::frame::DataFrame;
use crate::session::Session;

/// One statement of a SQL script, parsed and ready to run.
#[derive(Debug, Clone)]
pub struct Statement {
    inner: DfStatement,
}

impl Statement {
    /// True for statements that produce rows to show (queries and `EXPLAIN`), false for
    /// statements run for their effect (`CREATE`, `COPY`, `SET`, ...).
    pub fn returns_rows(&self) -> bool {
        use datafusion::sql::sqlparser::ast::Statement as Ast;
        match &self.inner {
            DfStatement::Statement(s) => matches!(
                s.as_ref(),
                Ast::Query(_)
                    | Ast::Explain { .. }
                    | Ast::ShowTables { .. }
                    | Ast::ShowColumns { .. }
            ),
            DfStatement::Explain(_) => true,
            _ => false,
        }
    }
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.inner)
    }
}

impl Session {
    /// Plans one SQL statement. A query returns a lazy frame, run by its terminal
    /// methods; DDL (`CREATE EXTERNAL TABLE`, `CREATE VIEW`, `DROP`, `SET`) takes effect
    /// now; `COPY ... TO` also runs now, writing atomically, and its frame holds the
    /// number of rows written.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// let session = dusk::Session::local();
    /// let tips = session
    ///     .sql("SELECT payment_type, count(*) AS n FROM '../../tests/data/trips/*.parquet' \
    ///           WHERE payment_type IN ('dispute', 'no charge') GROUP BY 1 ORDER BY 1")
    ///     .await?;
    /// assert_eq!(tips.columns(), ["payment_type", "n"]);
    /// # Ok(()) }
    /// ```
    pub async fn sql(&self, query: &str) -> Result<DataFrame> {
        let mut statements = self.parse_script(query)?;
        match statements.len() {
            1 => self.execute(statements.remove(0)).await,
            0 => Err(Error::Plan("the SQL text holds no statement".into())),
            n => Err(Error::Plan(format!(
                "the SQL text holds {n} statements; sql() runs one, use run_script() for several"
            ))),
        }
    }

    /// Splits a script into statements (separated by `;`) without running them.
    ///
    /// ```
    /// let session = dusk::Session::local();
    /// let statements = session.parse_script("SET datafusion.execution.batch_size = 1024; SELECT 1")?;
    /// assert_eq!(statements.len(), 2);
    /// assert!(statements[1].returns_rows());
    /// # Ok::<(), dusk::Error>(())
    /// ```
    pub fn parse_script(&self, sql: &str) -> Result<Vec<Statement>> {
        Ok(DFParser::parse_sql(sql)?
            .into_iter()
            .map(|inner| Statement { inner })
            .collect())
    }

    /// Plans one statement of a script; see [`sql`](Self::sql) for when it runs.
    pub async fn execute(&self, statement: Statement) -> Result<DataFrame> {
        let ctx = self.engine().context();
        let state = ctx.state();
        let returns_rows = statement.returns_rows();
        let plan = state.statement_to_plan(statement.inner).await?;
        if let LogicalPlan::Copy(copy) = plan {
            return CopyFrame::plan(self, copy).await;
        }
        let frame = ctx.execute_logical_plan(plan).await?;
        if returns_rows {
            return without_path_qualifiers(frame);
        }
        Ok(DataFrame::from_datafusion(frame))
    }

    /// Runs every statement of a script in order, each finishing before the next starts,
    /// and returns the rows of each statement (empty for those run for their effect).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// let session = dusk::Session::local();
    /// let results = session
    ///     .run_script(
    ///         "CREATE VIEW fares AS SELECT fare_amount FROM '../../tests/data/trips/';
    ///          SELECT count(*) AS n FROM fares WHERE fare_amount > 0;",
    ///     )
    ///     .await?;
    /// assert_eq!(results.len(), 2);
    /// # Ok(()) }
    /// ```
    pub async fn run_script(&self, sql: &str) -> Result<Vec<Vec<arrow::array::RecordBatch>>> {
        let mut results = Vec::new();
        for statement in self.parse_script(sql)? {
            results.push(self.execute(statement).await?.collect().await?);
        }
        Ok(results)
    }
}

/// Names output columns as DuckDB does: `avg(tip_amount)`, not `avg(trips/*.parquet.tip_amount)`.
///
/// DataFusion qualifies column names in expressions with the table name, which for a
/// path-as-table is the whole path.
fn without_path_qualifiers(frame: datafusion::dataframe::DataFrame) -> Result<DataFrame> {
    use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
    let mut paths: Vec<String> = Vec::new();
    frame.logical_plan().apply(|node| {
        if let LogicalPlan::TableScan(scan) = node {
            let name = scan.table_name.to_string();
            if name.contains(['/', '.', '*']) {
                paths.push(format!("{name}."));
            }
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    if paths.is_empty() {
        return Ok(DataFrame::from_datafusion(frame));
    }
    let schema = frame.schema().clone();
    let mut renamed = Vec::new();
    let mut changed = false;
    for (qualifier, field) in schema.iter() {
        let mut name = field.name().clone();
        for p in &paths {
            name = name.replace(p.as_str(), "");
        }
        changed |= name != *field.name();
        renamed.push((qualifier.cloned(), field.name().clone(), name));
    }
    let mut unique: Vec<&String> = renamed.iter().map(|(_, _, n)| n).collect();
    unique.sort();
    unique.dedup();
    if !changed || unique.len() != renamed.len() {
        return Ok(DataFrame::from_datafusion(frame));
    }
    let exprs: Vec<datafusion::logical_expr::Expr> = renamed
        .into_iter()
        .map(|(q, old, new)| {
            datafusion::logical_expr::Expr::Column(datafusion::common::Column::new(q, old))
                .alias(new)
        })
        .collect();
    Ok(DataFrame::from_datafusion(frame.select(exprs)?))
}

/// `COPY ... TO` made atomic: the copy writes under a temporary name, and the rows only
/// appear at the target once it is complete.
struct CopyFrame;

impl CopyFrame {
    async fn plan(session: &Session, mut copy: CopyTo) -> Result<DataFrame> {
        let single_file = copy.partition_by.is_empty()
            && match copy.options.get("single_file_output").map(String::as_str) {
                Some("true") => true,
                Some("false") => false,
                _ => write::is_single_file_target(&copy.output_url),
            };
        let target = copy.output_url.clone();
        let staged = write::stage(&target, WriteMode::Overwrite, single_file)?;
        let ctx = session.engine().context();
        let Some(staged) = staged else {
            let frame = ctx.execute_logical_plan(LogicalPlan::Copy(copy)).await?;
            return Ok(DataFrame::from_datafusion(frame));
        };
        copy.output_url = staged.temp_url();
        // COPY has no lazy form that could commit afterwards, so it runs here and the
        // frame returned holds its row count.
        let frame = ctx.execute_logical_plan(LogicalPlan::Copy(copy)).await?;
        let batches = frame.collect().await?;
        staged.commit()?;
        let schema = batches
            .first()
            .map(|b| b.schema())
            .unwrap_or_else(|| Arc::new(arrow::datatypes::Schema::empty()));
        // Literal rows, not an in-memory table, so that the count also reads back on a
        // cluster.
        let plan = dusk_engine::plan::literal_rows(schema, &batches)?;
        Ok(DataFrame::from_datafusion(
            datafusion::dataframe::DataFrame::new(ctx.state(), plan),
        ))
    }
}
