use std::time::Duration;

use super::{Closed, EXTEND_WITHIN, Fence};

const MARGIN: Duration = Duration::from_secs(5);

#[tokio::test(start_paused = true)]
async fn the_fence_closes_at_the_lease_end_and_for_good() {
    let start = tokio::time::Instant::now();
    let fence = Fence::until(start + Duration::from_secs(55), MARGIN);
    assert!(fence.check().is_ok());
    // An on-time renewal is not late, and moves the end.
    tokio::time::advance(Duration::from_secs(10)).await;
    assert_eq!(
        fence.renewed(tokio::time::Instant::now(), Duration::from_secs(60)),
        None
    );
    tokio::time::advance(Duration::from_secs(60)).await;
    // A renewal answered after the lease ran out here is late, and does not reopen it: the
    // run may have been refused a change and be stopping.
    let late = fence
        .renewed(
            tokio::time::Instant::now() - Duration::from_secs(2),
            Duration::from_secs(60),
        )
        .expect("late");
    assert_eq!(late, Duration::from_secs(5));
    let why = fence.check().unwrap_err();
    assert!(why.contains("ran out without a renewal"), "{why}");
    assert!(fence.is_lost(), "ran out is for good");
    // Once refused for running out, a renewal is no longer late news: closed for good.
    assert_eq!(
        fence.renewed(tokio::time::Instant::now(), Duration::from_secs(60)),
        None
    );
    assert!(fence.check().is_err());

    let taken = Fence::until(
        tokio::time::Instant::now() + Duration::from_secs(55),
        MARGIN,
    );
    taken.lose("taken over by bob@desk".into());
    assert_eq!(taken.check().unwrap_err(), "taken over by bob@desk");
    taken.renewed(tokio::time::Instant::now(), Duration::from_secs(60));
    assert!(taken.check().is_err(), "lost is for good");
    assert!(Fence::open().check().is_ok());
}

#[tokio::test(start_paused = true)]
async fn a_call_whose_timeout_outlives_the_lease_is_refused() {
    let start = tokio::time::Instant::now();
    // Renewed just now: a 60 s lease, open for 55 s.
    let fence = Fence::until(start + Duration::from_secs(55), MARGIN);
    assert_eq!(fence.try_admit(Duration::from_secs(30)), Ok(()));
    tokio::time::advance(Duration::from_secs(40)).await;
    // 15 s left: a 10 s call fits, a 30 s one does not.
    assert_eq!(fence.try_admit(Duration::from_secs(10)), Ok(()));
    assert_eq!(
        fence.try_admit(Duration::from_secs(30)),
        Err(Closed::Short {
            left: Duration::from_secs(15)
        })
    );
    // Nobody renews (the table does not answer): after waiting for the keeper, the call is
    // refused, never sent, and says why.
    let began = tokio::time::Instant::now();
    let why = fence.admit(Duration::from_secs(30)).await.unwrap_err();
    assert_eq!(
        began.elapsed(),
        EXTEND_WITHIN,
        "waited for a renewal, bounded"
    );
    assert!(
        why.contains("may last up to 30s") && why.contains("was not sent"),
        "{why}"
    );
    // The keeper is asked for a lease that covers the call it refused.
    let now = tokio::time::Instant::now();
    assert!(fence.lease_for(now, Duration::from_secs(60)) >= Duration::from_secs(60));
    // Past the lease, even an instant change is refused, for good.
    tokio::time::advance(Duration::from_secs(6)).await;
    assert!(matches!(
        fence.try_admit(Duration::ZERO),
        Err(Closed::Lost(_))
    ));
}

#[tokio::test(start_paused = true)]
async fn a_long_call_waits_for_the_keeper_to_extend_the_lease() {
    let start = tokio::time::Instant::now();
    let fence = Fence::until(start + Duration::from_secs(55), MARGIN);
    // A Lambda invocation may last 15 min 30 s: longer than any lease of 60 s.
    let limit = Duration::from_secs(15 * 60 + 30);
    let keeper = {
        let fence = fence.clone();
        tokio::spawn(async move {
            fence.wake.notified().await;
            // The keeper renews with the lease the fence asks for.
            let started = tokio::time::Instant::now();
            let length = fence.lease_for(started, Duration::from_secs(60));
            tokio::time::advance(Duration::from_millis(300)).await;
            fence.renewed(started, length);
            length
        })
    };
    fence
        .admit(limit)
        .await
        .expect("admitted once the lease covers it");
    let length = keeper.await.unwrap();
    assert!(
        length >= limit + MARGIN,
        "the lease covers the call and the margin: {length:?}"
    );
    // Later renewals keep covering it, whatever the base lease.
    let later = tokio::time::Instant::now() + Duration::from_secs(10);
    tokio::time::advance(Duration::from_secs(10)).await;
    assert!(fence.lease_for(later, Duration::from_secs(60)) >= limit - Duration::from_secs(10));
}
