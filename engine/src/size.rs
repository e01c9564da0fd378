//! Sizes written for people: "4GB", "512MiB", "1.5 gb", parsed the way Dask's `parse_bytes` does.

/// Parses a byte size: a plain number of bytes, or a number with a unit. Decimal units
/// (kB, MB, GB, TB) are powers of 1000 and binary units (KiB, MiB, GiB, TiB) powers of 1024,
/// as in Dask. Case and spaces do not matter. Returns `None` for anything else.
///
/// ```
/// use dusk_engine::size::parse_bytes;
/// assert_eq!(parse_bytes("4GB"), Some(4_000_000_000));
/// assert_eq!(parse_bytes("512 MiB"), Some(512 * 1024 * 1024));
/// assert_eq!(parse_bytes("1000"), Some(1000));
/// assert_eq!(parse_bytes("lots"), None);
/// ```
pub fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim().to_ascii_lowercase().replace(' ', "");
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let multiplier: u64 = match unit {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "t" | "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        _ => return None,
    };
    let bytes = number * multiplier as f64;
    (bytes.is_finite() && bytes >= 0.0).then_some(bytes as u64)
}
