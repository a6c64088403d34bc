#![allow(dead_code)]
use std::{cell::Cell, cmp, io, io::Write, mem::MaybeUninit, slice::from_raw_parts_mut};

use atoi::FromRadix10;
use ntex::http::{header::HeaderValue, HttpServiceConfig, KeepAlive};
use ntex::util::{BufMut, Bytes, BytesMut};
use ntex::{io::IoConfig, time::Seconds, SharedCfg};
use sonic_rs::writer::WriteExt;

pub const HDR_SERVER: HeaderValue = HeaderValue::from_static("N");
pub const HDR_JSON_CONTENT_TYPE: HeaderValue = HeaderValue::from_static("application/json");
pub const HDR_TEXT_CONTENT_TYPE: HeaderValue = HeaderValue::from_static("text/plain");
pub const HDR_HTML_CONTENT_TYPE: HeaderValue =
    HeaderValue::from_static("text/html; charset=utf-8");
pub const BODY_PLAIN_TEXT: Bytes = Bytes::from_static(b"Hello, World!");

const HW: usize = 128 * 1024;
pub const SIZE: usize = 23;

pub fn config() -> SharedCfg {
    thread_local! {
        static CFG: SharedCfg = SharedCfg::new("tfb")
        .add(
            IoConfig::new()
                .set_read_buf(65535, 2048, 128)
                .set_write_buf(65535, 2048, 128),
        )
        .add(
            HttpServiceConfig::new()
                .set_keepalive(KeepAlive::Os)
                .set_client_timeout(Seconds::ZERO)
                .set_headers_read_rate(Seconds::ZERO, Seconds::ZERO, 0)
                .set_payload_read_rate(Seconds::ZERO, Seconds::ZERO, 0),
        ).into();
    }
    CFG.with(Clone::clone)
}

pub fn db_config() -> SharedCfg {
    thread_local! {
        static CFG: SharedCfg = SharedCfg::new("tfb-db")
        .add(
            IoConfig::new()
                .set_read_buf(65535, 2048, 128)
                .set_write_buf(65535, 2048, 128),
        ).into()
    }
    CFG.with(Clone::clone)
}

pub fn get_query_param(query: Option<&str>) -> usize {
    let query = query.unwrap_or("");
    // The bench's parameter is `queries=N` (the entry reads `q=N`).
    let q = if let Some(pos) = query.find("queries=") {
        u16::from_radix_10(query.split_at(pos + 8).1.as_ref()).0
    } else {
        1
    };
    cmp::min(500, cmp::max(1, q) as usize)
}

pub fn buffer<F, R>(lw: usize, f: F) -> R
where
    F: FnOnce(&mut BytesMut) -> R,
{
    thread_local! {
        static BUF: Cell<Option<BytesMut>> = Cell::new(Some(BytesMut::new()));
    }
    BUF.with(|buf| {
        let mut b = buf.take().unwrap();
        let remaining = b.remaining_mut();
        if remaining < lw {
            // ntex-bytes 1.11 removed reserve_capacity(): "use reserve_exact()" (its changelog).
            b.reserve_exact(HW);
        }

        let result = f(&mut b);
        buf.set(Some(b));
        result
    })
}

pub struct BVecWriter<'a>(pub &'a mut BytesMut);

impl Write for BVecWriter<'_> {
    fn write(&mut self, src: &[u8]) -> Result<usize, io::Error> {
        self.0.extend_from_slice(src);
        Ok(src.len())
    }

    fn flush(&mut self) -> Result<(), io::Error> {
        Ok(())
    }
}

impl WriteExt for BVecWriter<'_> {
    #[inline(always)]
    fn reserve_with(&mut self, additional: usize) -> Result<&mut [MaybeUninit<u8>], io::Error> {
        self.0.reserve(additional);

        unsafe {
            let ptr = self.0.as_mut_ptr().add(self.0.len()) as *mut MaybeUninit<u8>;
            Ok(from_raw_parts_mut(ptr, additional))
        }
    }

    #[inline(always)]
    unsafe fn flush_len(&mut self, additional: usize) -> io::Result<()> {
        unsafe {
            let new_len = self.0.len() + additional;
            self.0.set_len(new_len);
        }
        Ok(())
    }
}

/// ntex-bytes 1's BytesMut as a yarte buffer: buf-min 0.7 implements its `Buffer` for ntex-bytes 0.1
/// only; the entry takes a git fork of buf-min that implements it for ntex-bytes 1. The same
/// implementation, on a wrapper (the orphan rule).
pub struct YarteBuf(pub BytesMut);

impl buf_min::Buffer for YarteBuf {
    type Freeze = Bytes;

    #[inline]
    fn with_capacity(capacity: usize) -> Self
    where
        Self: Sized,
    {
        YarteBuf(BytesMut::with_capacity(capacity))
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    #[inline]
    fn len(&self) -> usize {
        self.0.len()
    }

    #[inline]
    unsafe fn extend_from_slice(&mut self, src: &[u8]) {
        buf_min::Buffer::reserve(self, src.len());
        debug_assert!(self.0.capacity() - self.0.len() >= src.len());
        unsafe {
            std::ptr::copy_nonoverlapping(src.as_ptr(), buf_min::Buffer::buf_ptr(self), src.len());
            buf_min::Buffer::advance(self, src.len());
        }
    }

    #[inline(always)]
    fn reserve(&mut self, additional: usize) {
        self.0.reserve(additional);
    }

    #[inline(always)]
    fn freeze(self) -> Self::Freeze {
        self.0.freeze()
    }

    #[inline]
    unsafe fn advance(&mut self, cnt: usize) {
        let new_len = self.0.len() + cnt;
        debug_assert!(new_len <= self.0.capacity(), "new_len = {}; capacity = {}", new_len, self.0.capacity());
        unsafe { self.0.set_len(new_len) };
    }

    #[inline]
    unsafe fn buf_ptr(&mut self) -> *mut u8 {
        unsafe { self.0.as_mut_ptr().add(self.0.len()) }
    }
}
