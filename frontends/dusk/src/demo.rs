//! A deterministic generator of taxi-trip-like data, for the README, examples, tests and
//! benchmarks: the same seed gives the same files on every machine.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, Float64Builder, Int64Builder, RecordBatch, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use dusk_engine::{Error, Result};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

/// Pickup zones and their boroughs, a small slice of New York's taxi zones.
pub const ZONES: &[(&str, &str)] = &[
    ("JFK Airport", "Queens"),
    ("LaGuardia Airport", "Queens"),
    ("Midtown Center", "Manhattan"),
    ("Upper East Side North", "Manhattan"),
    ("Upper East Side South", "Manhattan"),
    ("Upper West Side South", "Manhattan"),
    ("Times Sq/Theatre District", "Manhattan"),
    ("Murray Hill", "Manhattan"),
    ("East Village", "Manhattan"),
    ("West Village", "Manhattan"),
    ("Lincoln Square East", "Manhattan"),
    ("Penn Station/Madison Sq West", "Manhattan"),
    ("Union Sq", "Manhattan"),
    ("Clinton East", "Manhattan"),
    ("Gramercy", "Manhattan"),
    ("Lenox Hill West", "Manhattan"),
    ("Williamsburg (North Side)", "Brooklyn"),
    ("Park Slope", "Brooklyn"),
    ("Astoria", "Queens"),
    ("Long Island City/Hunters Point", "Queens"),
    ("Mott Haven/Port Morris", "Bronx"),
    ("St. George/New Brighton", "Staten Island"),
];

const PAYMENT_TYPES: [(&str, f64); 4] = [
    ("card", 0.66),
    ("cash", 0.29),
    ("no charge", 0.03),
    ("dispute", 0.02),
];

/// Options of [`generate_trips`].
#[derive(Debug, Clone)]
pub struct TripsOptions {
    /// Total number of trips, spread evenly over the months.
    pub rows: usize,
    /// Number of monthly files, starting in January 2024 (at most 12).
    pub months: u32,
    /// Seed of the random generator.
    pub seed: u64,
}

impl Default for TripsOptions {
    fn default() -> Self {
        TripsOptions {
            rows: 1_000_000,
            months: 12,
            seed: 42,
        }
    }
}

/// The schema of the generated trips.
pub fn trips_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new(
            "pickup_datetime",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            false,
        ),
        Field::new(
            "dropoff_datetime",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            false,
        ),
        Field::new("passenger_count", DataType::Int64, true),
        Field::new("trip_distance", DataType::Float64, false),
        Field::new("fare_amount", DataType::Float64, false),
        Field::new("tip_amount", DataType::Float64, true),
        Field::new("payment_type", DataType::Utf8, false),
        Field::new("pickup_zone", DataType::Utf8, true),
    ]))
}

/// Writes `options.rows` trips as monthly Parquet files `dir/2024-01.parquet`, ...,
/// returning the paths written. Deterministic: the same options give the same bytes.
///
/// About 3% of passenger counts, 2% of zones and 1% of tips are missing; a few fares
/// are negative (refunds), as in the real data.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// use dusk::demo::{generate_trips, TripsOptions};
/// let files = generate_trips(dir.path(), &TripsOptions { rows: 1000, months: 2, seed: 7 })?;
/// assert_eq!(files.len(), 2);
/// # Ok::<(), dusk::Error>(())
/// ```
pub fn generate_trips(dir: &Path, options: &TripsOptions) -> Result<Vec<std::path::PathBuf>> {
    if options.months == 0 || options.months > 12 {
        return Err(Error::invalid_option("months", options.months, "1 to 12"));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io("cannot create folder", dir.display(), e))?;
    let mut rng = SplitMix64::new(options.seed);
    let schema = trips_schema();
    let months = options.months as usize;
    let mut paths = Vec::with_capacity(months);
    for month in 0..months {
        let rows = options.rows / months + usize::from(month < options.rows % months);
        let path = dir.join(format!("2024-{:02}.parquet", month + 1));
        let temp = dir.join(format!(".2024-{:02}.parquet.tmp", month + 1));
        let file =
            File::create(&temp).map_err(|e| Error::io("cannot create", temp.display(), e))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(3)?))
            .build();
        let mut writer = ArrowWriter::try_new(file, Arc::clone(&schema), Some(props))?;
        let mut written = 0;
        while written < rows {
            let n = (rows - written).min(65_536);
            writer.write(&trips_batch(&mut rng, &schema, month as u32, n)?)?;
            written += n;
        }
        writer.close()?;
        std::fs::rename(&temp, &path).map_err(|e| Error::io("cannot write", path.display(), e))?;
        paths.push(path);
    }
    Ok(paths)
}

fn trips_batch(
    rng: &mut SplitMix64,
    schema: &SchemaRef,
    month: u32,
    n: usize,
) -> Result<RecordBatch> {
    const DAY_US: i64 = 86_400_000_000;
    let days_in_month = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month as usize];
    let month_start = {
        let date = chrono_free_month_start_days(month);
        date * DAY_US
    };
    let mut pickup = TimestampMicrosecondBuilder::with_capacity(n);
    let mut dropoff = TimestampMicrosecondBuilder::with_capacity(n);
    let mut passengers = Int64Builder::with_capacity(n);
    let mut distance = Float64Builder::with_capacity(n);
    let mut fare = Float64Builder::with_capacity(n);
    let mut tip = Float64Builder::with_capacity(n);
    let mut payment = StringBuilder::with_capacity(n, n * 5);
    let mut zone = StringBuilder::with_capacity(n, n * 12);
    for _ in 0..n {
        let start = month_start + (rng.next_f64() * (days_in_month as f64) * DAY_US as f64) as i64;
        let miles = round2((0.9 + rng.normal() * 0.8).exp().min(60.0));
        let minutes = 3.0 + miles * (2.5 + rng.next_f64() * 2.0);
        pickup.append_value(start);
        dropoff.append_value(start + (minutes * 60_000_000.0) as i64);

        let p = rng.next_f64();
        let count = match p {
            _ if p < 0.03 => None,
            _ if p < 0.04 => Some(0),
            _ if p < 0.72 => Some(1),
            _ if p < 0.87 => Some(2),
            _ if p < 0.92 => Some(3),
            _ if p < 0.95 => Some(4),
            _ if p < 0.98 => Some(5),
            _ => Some(6),
        };
        passengers.append_option(count);
        distance.append_value(miles);

        let mut amount = round2(3.0 + 2.5 * miles + rng.normal().abs() * 1.5);
        if rng.next_f64() < 0.005 {
            amount = -amount;
        }
        fare.append_value(amount);

        let pay = pick(rng.next_f64(), &PAYMENT_TYPES);
        payment.append_value(pay);
        let tip_value = if pay == "card" && amount > 0.0 {
            // Larger groups tip a little more, so the average tip by passenger count varies.
            let rate = 0.12 + 0.02 * count.unwrap_or(1).min(4) as f64 + rng.next_f64() * 0.1;
            round2(amount * rate)
        } else {
            0.0
        };
        tip.append_option((rng.next_f64() >= 0.01).then_some(tip_value));

        if rng.next_f64() < 0.02 {
            zone.append_null();
        } else {
            let i = (rng.next_f64() * ZONES.len() as f64) as usize;
            zone.append_value(ZONES[i.min(ZONES.len() - 1)].0);
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(pickup.finish()),
        Arc::new(dropoff.finish()),
        Arc::new(passengers.finish()),
        Arc::new(distance.finish()),
        Arc::new(fare.finish()),
        Arc::new(tip.finish()),
        Arc::new(payment.finish()),
        Arc::new(zone.finish()),
    ];
    Ok(RecordBatch::try_new(Arc::clone(schema), columns)?)
}

/// Days from 1970-01-01 to the first day of `month` (0-based) of 2024.
fn chrono_free_month_start_days(month: u32) -> i64 {
    const JAN_1_2024: i64 = 19_723;
    let lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    JAN_1_2024 + lengths[..month as usize].iter().sum::<i64>()
}

fn pick<'a>(u: f64, weights: &[(&'a str, f64)]) -> &'a str {
    let mut acc = 0.0;
    for (value, w) in weights {
        acc += w;
        if u < acc {
            return value;
        }
    }
    weights[weights.len() - 1].0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Writes the zone lookup table (`zone,borough`) as CSV.
pub fn write_zones(path: &Path) -> Result<()> {
    let mut text = String::from("pickup_zone,borough\n");
    for (zone, borough) in ZONES {
        let zone = if zone.contains(',') {
            format!("\"{zone}\"")
        } else {
            zone.to_string()
        };
        text.push_str(&format!("{zone},{borough}\n"));
    }
    std::fs::write(path, text).map_err(|e| Error::io("cannot write", path.display(), e))
}

/// SplitMix64: a tiny, fast generator whose output is fixed by its seed on every platform,
/// unlike `rand`'s `StdRng`, whose algorithm may change between versions.
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal, by Box-Muller.
    fn normal(&mut self) -> f64 {
        let u1 = self.next_f64().max(f64::MIN_POSITIVE);
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}
