//! Task-wide limits on the flow of rows: `max_rps` / `max_mbps` of `[extractor]` (applied as
//! pages are handed from the reader to the buffer) and of `[sinker]` (applied before a chunk
//! is written), and `[pipeline] buffer_memory_mb` (bytes held in the buffers). One [`Limits`]
//! is shared by every table and writer, so each ceiling holds for the whole task: over any
//! stretch of time, no more than the limit's rate plus a burst of [`BURST_SECS`] of it
//! passes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dt_common::config::TaskConfig;
use dt_common::meta::{row_bytes, Row};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The burst a rate limit lets through at once, in seconds of its rate. Rows pass only
/// once they are paid for, so N rows take at least `N / rate - BURST_SECS`.
pub(crate) const BURST_SECS: f64 = 0.05;

/// A rate limit over a count (rows or bytes) in the manner of a token bucket: each
/// reservation books the next `n / per_sec` seconds of the limit's timeline, and the caller
/// waits until its booking ends.
#[derive(Debug)]
struct Bucket {
    per_sec: f64,
    /// The end of the last booking.
    next: Mutex<Instant>,
}

impl Bucket {
    fn new(per_sec: f64) -> Option<Bucket> {
        (per_sec > 0.0).then(|| Bucket {
            per_sec,
            next: Mutex::new(Instant::now()),
        })
    }

    /// Books `n` units from `now` on; returns when the caller may go on.
    fn reserve(&self, n: f64, now: Instant) -> Instant {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let idle_credit = Duration::from_secs_f64(BURST_SECS);
        let earliest = now.checked_sub(idle_credit).unwrap_or(now);
        let start = (*next).max(earliest);
        *next = start + Duration::from_secs_f64(n / self.per_sec);
        *next
    }
}

/// Rows and bytes per second at one side of the copy.
#[derive(Debug, Default)]
struct Rate {
    rows: Option<Bucket>,
    bytes: Option<Bucket>,
}

impl Rate {
    fn new(max_rps: u64, max_mbps: u64) -> Rate {
        Rate {
            rows: Bucket::new(max_rps as f64),
            bytes: Bucket::new(max_mbps as f64 * MIB),
        }
    }

    /// Waits until `rows` may pass.
    async fn pass(&self, rows: &[Row]) {
        let now = Instant::now();
        let mut until = now;
        if let Some(b) = &self.rows {
            until = until.max(b.reserve(rows.len() as f64, now));
        }
        if let Some(b) = &self.bytes {
            let bytes: usize = rows.iter().map(|r| row_bytes(r)).sum();
            until = until.max(b.reserve(bytes as f64, now));
        }
        if until > now {
            tokio::time::sleep_until(until).await;
        }
    }

    fn describe(&self) -> Option<String> {
        let rows = self.rows.as_ref().map(|b| format!("{} rows/s", b.per_sec));
        let mib = self
            .bytes
            .as_ref()
            .map(|b| format!("{} MiB/s", b.per_sec / MIB));
        let parts: Vec<String> = rows.into_iter().chain(mib).collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

const MIB: f64 = 1024.0 * 1024.0;

/// The task's limits, shared by all its tables.
#[derive(Debug, Default)]
pub(crate) struct Limits {
    source: Rate,
    target: Rate,
    /// KiB of rows that may sit in the buffers, when capped.
    memory: Option<(Arc<Semaphore>, u32)>,
}

/// What a batch in the buffer holds of the memory cap; released when the batch leaves.
pub(crate) type Held = Option<OwnedSemaphorePermit>;

impl Limits {
    pub fn new(cfg: &TaskConfig) -> Limits {
        let kib = cfg.pipeline.buffer_memory_mb.saturating_mul(1024);
        let kib = u32::try_from(kib).unwrap_or(u32::MAX >> 4);
        Limits {
            source: Rate::new(cfg.extractor.max_rps, cfg.extractor.max_mbps),
            target: Rate::new(cfg.sinker.max_rps, cfg.sinker.max_mbps),
            memory: (kib > 0).then(|| (Arc::new(Semaphore::new(kib as usize)), kib)),
        }
    }

    /// Waits until rows read from the source may be handed to the buffer.
    pub async fn source(&self, rows: &[Row]) {
        self.source.pass(rows).await
    }

    /// Waits until a chunk may be written to the target.
    pub async fn target(&self, rows: &[Row]) {
        self.target.pass(rows).await
    }

    /// Waits until `rows` fit under the memory cap, and holds their share of it. A batch
    /// larger than the whole cap waits for the buffers to be empty.
    pub async fn hold(&self, rows: &[Row]) -> Held {
        let (sem, cap) = self.memory.as_ref()?;
        let bytes: usize = rows.iter().map(|r| row_bytes(r)).sum();
        let kib = u32::try_from(bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .clamp(1, *cap);
        sem.clone().acquire_many_owned(kib).await.ok()
    }

    /// The limits in force, for default.log; `None` when there are none.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(s) = self.source.describe() {
            parts.push(format!("extractor {s}"));
        }
        if let Some(s) = self.target.describe() {
            parts.push(format!("sinker {s}"));
        }
        if let Some((_, kib)) = &self.memory {
            parts.push(format!("buffers {} MiB", kib / 1024));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(a: Instant, b: Instant) -> f64 {
        b.duration_since(a).as_secs_f64()
    }

    #[test]
    fn bookings_keep_the_long_run_rate() {
        let b = Bucket::new(5000.0).unwrap();
        let t0 = Instant::now() + Duration::from_secs(1);
        // 20,000 rows asked for all at once, in chunks: the last may go 4 s on, less the burst.
        let mut last = t0;
        for _ in 0..40 {
            last = b.reserve(500.0, t0);
        }
        let took = secs(t0, last);
        assert!((4.0 - BURST_SECS - 1e-6..=4.0).contains(&took), "{took}");
    }

    #[test]
    fn idle_time_earns_no_more_than_the_burst() {
        let b = Bucket::new(1000.0).unwrap();
        let t0 = Instant::now();
        b.reserve(10.0, t0);
        // After a long pause, 1,000 rows still take about one second.
        let later = t0 + Duration::from_secs(60);
        let done = b.reserve(1000.0, later);
        assert!(
            secs(later, done) >= 1.0 - BURST_SECS - 1e-6,
            "{}",
            secs(later, done)
        );
    }

    #[test]
    fn no_limit_means_no_bucket() {
        assert!(Bucket::new(0.0).is_none());
        let r = Rate::new(0, 0);
        assert!(r.describe().is_none());
        assert_eq!(
            Rate::new(5000, 2).describe().as_deref(),
            Some("5000 rows/s, 2 MiB/s")
        );
    }

    #[tokio::test]
    async fn memory_cap_blocks_until_a_batch_leaves() {
        let limits = Limits {
            memory: Some((Arc::new(Semaphore::new(1024)), 1024)),
            ..Default::default()
        };
        let row = vec![dt_common::meta::Value::Bytes(vec![0; 700 * 1024])];
        let first = limits.hold(std::slice::from_ref(&row)).await;
        let second = limits.hold(std::slice::from_ref(&row));
        tokio::pin!(second);
        let waited = tokio::time::timeout(Duration::from_millis(50), second.as_mut()).await;
        assert!(waited.is_err(), "a second 700 KiB batch fit under 1 MiB");
        drop(first);
        assert!(second.await.is_some());
    }
}
