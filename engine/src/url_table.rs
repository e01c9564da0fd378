//! File paths as SQL tables: `SELECT * FROM 'data/*.parquet'`, as in DuckDB.
//!
//! DataFusion asks a [`UrlTableFactory`] for any table name it cannot find. Dusk's factory
//! reads the name with the same readers as the DataFrame API, so SQL gets the same globs,
//! hive partitions, schema checks and error messages.

use std::sync::{Arc, Weak};

use datafusion::catalog::{DynamicFileCatalog, TableProvider, UrlTableFactory};
use datafusion::error::Result as DfResult;
use datafusion::execution::SessionState;
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::SessionContext;
use parking_lot::{Mutex, RwLock};

use crate::read::{self, ReadFormat};
use crate::storage::{self, Paths};

/// Installs Dusk's path-as-table factory in `ctx`'s catalog.
pub(crate) fn install(ctx: SessionContext) -> SessionContext {
    let factory = Arc::new(PathTableFactory::default());
    let catalogs = Arc::new(DynamicFileCatalog::new(
        Arc::clone(ctx.state().catalog_list()),
        Arc::clone(&factory) as Arc<dyn UrlTableFactory>,
    ));
    let session_id = ctx.session_id();
    let state = SessionStateBuilder::new_from_existing(ctx.state())
        .with_session_id(session_id)
        .with_catalog_list(catalogs)
        .build();
    let ctx = SessionContext::new_with_state(state);
    *factory.state.lock() = Some(ctx.state_weak_ref());
    ctx
}

/// Creates tables from strings that look like paths, globs or URLs.
#[derive(Debug, Default)]
struct PathTableFactory {
    state: Mutex<Option<Weak<RwLock<SessionState>>>>,
}

/// True if a table name is meant as a path rather than a registered table.
fn looks_like_path(name: &str) -> bool {
    name.contains(['/', '\\', '.', '*', '?', '['])
}

#[async_trait::async_trait]
impl UrlTableFactory for PathTableFactory {
    async fn try_new(&self, name: &str) -> DfResult<Option<Arc<dyn TableProvider>>> {
        if !looks_like_path(name) {
            return Ok(None);
        }
        let state = self
            .state
            .lock()
            .as_ref()
            .and_then(Weak::upgrade)
            .map(|s| s.read().clone());
        let Some(state) = state else {
            return Ok(None);
        };
        let result = async {
            let kind = storage::detect_format(&state, name).await?;
            read::table(&state, &Paths::from(name), &ReadFormat::default_for(kind)).await
        }
        .await;
        result.map(Some).map_err(|e| e.into_datafusion())
    }
}
