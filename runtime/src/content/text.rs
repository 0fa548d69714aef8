//! Text the bounded serializer makes itself: a `Display` and bytes, each within a cap.

use std::fmt::{self, Display, Write as _};

use super::markers::suffix;

/// `value`'s `Display`, at most `cap` bytes of it (then the truncation suffix): a `Display`
/// may write without end.
pub(crate) fn bounded_display<T: Display + ?Sized>(value: &T, cap: usize) -> String {
    struct Capped {
        buf: String,
        cap: usize,
        total: usize,
    }
    impl fmt::Write for Capped {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.total = self.total.saturating_add(s.len());
            let room = self.cap.saturating_sub(self.buf.len());
            if room > 0 {
                let mut end = room.min(s.len());
                while !s.is_char_boundary(end) {
                    end -= 1;
                }
                self.buf.push_str(&s[..end]);
            }
            Ok(())
        }
    }
    let mut out = Capped {
        buf: String::new(),
        cap,
        total: 0,
    };
    // A `Display` that fails leaves what it wrote so far: still worth showing.
    let _ = write!(out, "{value}");
    if out.total > out.buf.len() {
        let dropped = out.total - out.buf.len();
        out.buf.push_str(&suffix(dropped));
    }
    out.buf
}

/// Standard base64 of at most `cap` output bytes of `bytes`, then the truncation suffix
/// counting the input bytes left out.
pub(crate) fn base64(bytes: &[u8], cap: usize) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let take = bytes.len().min(cap / 4 * 3);
    let mut out = String::with_capacity(take.div_ceil(3) * 4);
    for chunk in bytes[..take].chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> shift & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    if take < bytes.len() {
        out.push_str(&suffix(bytes.len() - take));
    }
    out
}
