//! The measuring pass of the bounded serializer: string lengths, to pick a common cap.

use super::bounded::MIN_STRING_ROOM;

/// The lengths of the strings a value holds, by powers of two: enough to pick a common cap.
#[derive(Debug)]
pub(crate) struct Lengths {
    /// By bit length of the string's length: how many, and their total length.
    buckets: [(usize, usize); usize::BITS as usize + 1],
}

/// What a cut string takes beyond the bytes kept: quotes and `…[truncated N bytes]`.
const CUT_COST: usize = 32;

impl Default for Lengths {
    fn default() -> Self {
        Lengths {
            buckets: [(0, 0); usize::BITS as usize + 1],
        }
    }
}

impl Lengths {
    pub(crate) fn record(&mut self, len: usize) {
        let bucket = &mut self.buckets[(usize::BITS - len.leading_zeros()) as usize];
        bucket.0 += 1;
        bucket.1 = bucket.1.saturating_add(len);
    }

    /// About the bytes the strings take with each cut to at most `cap`.
    fn total(&self, cap: usize) -> usize {
        self.buckets
            .iter()
            .enumerate()
            .map(|(bits, &(count, sum))| {
                let cut = count.saturating_mul(cap + CUT_COST);
                let shortest = if bits == 0 { 0 } else { 1 << (bits - 1) };
                if shortest > cap { cut } else { sum.min(cut) }
            })
            .fold(0, usize::saturating_add)
    }

    /// The largest cap up to `max` whose strings fit `room` bytes, at least
    /// [`MIN_STRING_ROOM`].
    pub(crate) fn cap_for(&self, room: usize, max: usize) -> usize {
        if self.total(max) <= room {
            return max;
        }
        let (mut low, mut high) = (MIN_STRING_ROOM.min(max), max);
        while low < high {
            let mid = low + (high - low).div_ceil(2);
            if self.total(mid) <= room {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        low
    }
}
