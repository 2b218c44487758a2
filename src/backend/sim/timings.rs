//! How long things take on AWS, in sim seconds at speed 1 (from the product design's table).

/// (lo, hi) ranges drawn uniformly.
pub const PROMOTION: (f64, f64) = (180.0, 420.0);
pub const REPLICA_CREATE: (f64, f64) = (480.0, 900.0);
pub const GLOBAL_SWITCHOVER: (f64, f64) = (60.0, 120.0);
pub const GLOBAL_FAILOVER: (f64, f64) = (45.0, 75.0);
pub const TASK_START: (f64, f64) = (30.0, 90.0);
pub const DEPLOYMENT: (f64, f64) = (60.0, 150.0);
pub const INSTANCE_LAUNCH: (f64, f64) = (120.0, 300.0);
/// ALB: interval 10 s x healthy threshold 2, tuned.
pub const TARGET_HEALTHY: f64 = 20.0;
pub const DNS_INSYNC: (f64, f64) = (20.0, 60.0);
/// Route 53 health checks: request interval and failure threshold.
pub const CHECK_INTERVAL: f64 = 30.0;
pub const CHECK_THRESHOLD: u32 = 3;
pub const CHECKERS: u32 = 16;
