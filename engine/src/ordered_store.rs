//! An object store whose listings come back sorted by path, so that files are read in a
//! predictable order: `head` shows the first file's first rows, and runs are repeatable.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult, Result,
};

/// Wraps a store and sorts its listings by path. Everything else passes straight through.
#[derive(Debug)]
pub struct OrderedStore {
    inner: Arc<dyn ObjectStore>,
}

impl OrderedStore {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn ObjectStore>) -> Self {
        OrderedStore { inner }
    }
}

impl fmt::Display for OrderedStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ordered({})", self.inner)
    }
}

#[async_trait]
impl ObjectStore for OrderedStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        self.inner.get_opts(location, options).await
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        self.inner.get_ranges(location, ranges).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        let listing = self.inner.list(prefix);
        let depth = prefix.map(|p| p.parts().count()).unwrap_or(0);
        futures::stream::once(async move {
            let mut all: Vec<ObjectMeta> = listing.try_collect().await?;
            // Like Spark, Hive and pyarrow, skip names below the listed folder that start
            // with `.` or `_`: unfinished writes (Dusk's own `.dusk-tmp-*` among them),
            // `_SUCCESS` markers and metadata folders are not data.
            all.retain(|meta| {
                !meta.location.parts().skip(depth).any(|part| {
                    let part = part.as_ref();
                    part.starts_with('.') || part.starts_with('_')
                })
            });
            all.sort_by(|a, b| a.location.cmp(&b.location));
            Ok::<_, object_store::Error>(futures::stream::iter(all.into_iter().map(Ok)))
        })
        .try_flatten()
        .boxed()
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        let mut result = self.inner.list_with_delimiter(prefix).await?;
        result.common_prefixes.sort();
        result.objects.sort_by(|a, b| a.location.cmp(&b.location));
        Ok(result)
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}
