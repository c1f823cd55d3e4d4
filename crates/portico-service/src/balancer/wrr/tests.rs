#![allow(clippy::unwrap_used)] // a test panics on the unexpected

use super::*;

fn counts(wrr: &Wrr, picks: usize, eligible: impl Fn(usize) -> bool + Copy) -> Vec<usize> {
    let mut counts = vec![0; wrr.len()];
    for _ in 0..picks {
        counts[wrr.next_among(eligible).unwrap()] += 1;
    }
    counts
}

fn all(_: usize) -> bool {
    true
}

#[test]
fn small_pools_split_every_cycle_exactly() {
    for seed in 0..10 {
        let wrr = Wrr::seeded(&[3, 1], seed);
        for _ in 0..100 {
            assert_eq!(counts(&wrr, 4, all), [3, 1]);
        }
        let wrr = Wrr::seeded(&[5, 2, 1], seed);
        for _ in 0..50 {
            assert_eq!(counts(&wrr, 8, all), [5, 2, 1]);
        }
    }
}

#[test]
fn small_pools_interleave_and_rotate() {
    for seed in 0..10 {
        let wrr = Wrr::seeded(&[1, 1, 1], seed);
        let picks: Vec<_> = (0..6).map(|_| wrr.next_among(all).unwrap()).collect();
        assert_eq!(picks[..3], picks[3..]);
        let mut first = picks[..3].to_vec();
        first.sort_unstable();
        assert_eq!(first, [0, 1, 2]);
        // Weights 3 and 1: b is never next to another b, a never four in a row.
        let wrr = Wrr::seeded(&[3, 1], seed);
        let picks: Vec<_> = (0..40).map(|_| wrr.next_among(all).unwrap()).collect();
        assert!(!picks.windows(2).any(|w| w == [1, 1]));
        assert!(!picks.windows(4).any(|w| w == [0, 0, 0, 0]));
    }
}

#[test]
fn first_picks_are_spread_over_servers() {
    for n in [4, SMOOTH_MAX_SERVERS + 8] {
        let mut firsts = vec![0usize; n];
        for _ in 0..100 * n {
            firsts[Wrr::new(&vec![1; n]).next_among(all).unwrap()] += 1;
        }
        // 100 draws per position on average: each far from 0 and from all.
        assert!(firsts.iter().all(|c| (30..=200).contains(c)), "{firsts:?}");
    }
}

#[test]
fn zero_weights_and_ineligible_servers_are_skipped() {
    for big in [false, true] {
        let pad = |w: &[u32]| {
            let mut w = w.to_vec();
            if big {
                w.resize(SMOOTH_MAX_SERVERS + 1, 0);
            }
            w
        };
        assert_eq!(Wrr::new(&pad(&[])).next_among(all), None);
        assert_eq!(Wrr::new(&pad(&[0])).next_among(all), None);
        assert_eq!(Wrr::new(&pad(&[0, 0])).next_among(all), None);
        assert_eq!(counts(&Wrr::new(&pad(&[0, 2])), 10, all)[..2], [0, 10]);
        let wrr = Wrr::new(&pad(&[1, 1, 1]));
        for _ in 0..10 {
            assert_ne!(wrr.next_among(|i| i != 1), Some(1));
        }
        assert_eq!(wrr.next_among(|_| false), None);
        assert_eq!(Wrr::new(&pad(&[4])).next_among(|_| false), None);
    }
    assert_eq!(Wrr::new(&[]).next_among_at(0, all), None);
}

#[test]
fn smooth_split_holds_among_the_eligible_ones() {
    let wrr = Wrr::seeded(&[3, 1, 2], 7);
    let counts = counts(&wrr, 48, |i| i != 2);
    assert_eq!(counts, [36, 12, 0]);
}

#[test]
fn large_pools_follow_the_weights() {
    let weights: Vec<u32> = (0..100).map(|i| 1 + i % 4).collect();
    let total: u32 = weights.iter().sum();
    for seed in 0..5 {
        let wrr = Wrr::seeded(&weights, seed);
        let counts = counts(&wrr, total as usize * 20, all);
        for (count, weight) in counts.iter().zip(&weights) {
            // 20 cycles: each server within one pick of 20 x its weight.
            let want = 20 * *weight as usize;
            assert!(count.abs_diff(want) <= 1, "{count} vs {want}");
        }
    }
}

#[test]
fn large_pools_read_eligibility_when_the_epoch_changes() {
    let wrr = Wrr::seeded(&[1; 40], 3);
    // Epoch 0: every server eligible, whatever the closure says.
    let mut sorted: Vec<_> = (0..40)
        .map(|_| wrr.next_among_at(0, |_| false).unwrap())
        .collect();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..40).collect::<Vec<_>>());
    // Epoch 1: only even positions.
    for _ in 0..100 {
        assert_eq!(wrr.next_among_at(1, |i| i % 2 == 0).unwrap() % 2, 0);
    }
    // Same epoch, the closure is not read again.
    assert_eq!(wrr.next_among_at(1, |_| false).unwrap() % 2, 0);
    // Epoch 2: all back, equal shares again.
    let counts = counts_at(&wrr, 2, 40 * 10);
    assert!(counts.iter().all(|c| (9..=11).contains(c)), "{counts:?}");
    // Nobody eligible.
    assert_eq!(wrr.next_among_at(3, |_| false), None);
    assert_eq!(wrr.next_among_at(4, |i| i == 5), Some(5));
}

fn counts_at(wrr: &Wrr, epoch: u64, picks: usize) -> Vec<usize> {
    let mut counts = vec![0; wrr.len()];
    for _ in 0..picks {
        counts[wrr.next_among_at(epoch, all).unwrap()] += 1;
    }
    counts
}
