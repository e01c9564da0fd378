//! Dusk's end-to-end tests, compiled into one binary (each test binary is another long
//! link on a small machine). Each module covers one area; expectations come from pandas
//! (`tests/oracle/expected`, made by `tests/oracle/generate.py`) or first principles.
//! The `dusk` command's tests live with it, in `frontends/cli/tests`.

#[path = "integration/common.rs"]
mod common;
#[path = "integration/frame.rs"]
mod frame;
#[path = "integration/oracle.rs"]
mod oracle;
#[path = "integration/pandas.rs"]
mod pandas;
#[path = "integration/readers.rs"]
mod readers;
#[path = "integration/session.rs"]
mod session;
#[path = "integration/sql.rs"]
mod sql;
#[path = "integration/writers.rs"]
mod writers;
