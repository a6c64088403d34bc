//! Decoding a chunked request body (RFC 9112 §7.1), incrementally: each chunk is handed on as it
//! arrives, split off the read buffer without a copy.

use bytes::{Buf, Bytes, BytesMut};
use http::StatusCode;

/// Longest chunk-size line accepted (size, extensions, CRLF). Extensions are ignored, but an endless
/// one must not be buffered forever.
const MAX_SIZE_LINE: usize = 4096;
/// Most framing a body may carry beyond what its data pays for: Go's rule since CVE-2023-39326. Each
/// size line and chunk CRLF counts, each chunk pays back 16 bytes plus twice its size, so a sender
/// of one byte per chunk (5 bytes of framing a byte) never reaches it, but a body of extensions does.
const MAX_EXCESS: u64 = 16 * 1024;

#[derive(Debug)]
pub(crate) struct Chunked {
    state: State,
    trailer_bytes: usize,
    /// Framing bytes not paid for by data (see [`MAX_EXCESS`]).
    excess: u64,
}

#[derive(Debug, Clone, Copy)]
enum State {
    Size,
    Data(u64),
    DataEnd,
    Trailers,
    Done,
}

/// What decoding the front of the input gave.
#[derive(Debug)]
pub(crate) enum Decoded {
    /// Body bytes (a chunk, or the part of one that has arrived), split off the input without a copy.
    Data(Bytes),
    /// The last chunk and the trailer section are in.
    End,
}

impl Chunked {
    pub fn new() -> Self {
        Chunked {
            state: State::Size,
            trailer_bytes: 0,
            excess: 0,
        }
    }

    /// Decodes what it can from the front of `input`, consuming it: the next body bytes, the end, or
    /// `Ok(None)` when more input is needed.
    ///
    /// Trailer fields are read, bounded by `max_trailer_bytes`, and dropped: a trailer that the
    /// handler cannot see cannot change how the request is understood.
    pub fn decode(
        &mut self,
        input: &mut BytesMut,
        max_trailer_bytes: usize,
    ) -> Result<Option<Decoded>, StatusCode> {
        loop {
            match self.state {
                State::Done => return Ok(Some(Decoded::End)),
                State::Size => {
                    let Some(line) = take_line(input, MAX_SIZE_LINE, StatusCode::BAD_REQUEST)? else {
                        return Ok(None);
                    };
                    let size = parse_chunk_size(&line).ok_or(StatusCode::BAD_REQUEST)?;
                    // The line, its CRLF and the CRLF after the data, less what the data pays for.
                    let framing = line.len() as u64 + 4;
                    self.excess = (self.excess + framing).saturating_sub(16 + size.saturating_mul(2));
                    if self.excess > MAX_EXCESS {
                        return Err(StatusCode::BAD_REQUEST);
                    }
                    self.state = if size == 0 {
                        State::Trailers
                    } else {
                        State::Data(size)
                    };
                }
                State::Data(left) => {
                    if input.is_empty() {
                        return Ok(None);
                    }
                    let n = usize::try_from(left).unwrap_or(usize::MAX).min(input.len());
                    self.state = if n as u64 == left {
                        State::DataEnd
                    } else {
                        State::Data(left - n as u64)
                    };
                    return Ok(Some(Decoded::Data(input.split_to(n).freeze())));
                }
                State::DataEnd => {
                    if input.len() < 2 {
                        return Ok(None);
                    }
                    if &input[..2] != b"\r\n" {
                        return Err(StatusCode::BAD_REQUEST);
                    }
                    input.advance(2);
                    self.state = State::Size;
                }
                State::Trailers => {
                    let room = max_trailer_bytes.saturating_sub(self.trailer_bytes);
                    let too_long = StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE;
                    let Some(line) = take_line(input, room, too_long)? else {
                        return Ok(None);
                    };
                    self.trailer_bytes += line.len() + 2;
                    if line.is_empty() {
                        self.state = State::Done;
                        return Ok(Some(Decoded::End));
                    }
                    validate_trailer(&line)?;
                }
            }
        }
    }
}

/// Takes one CRLF-terminated line (without the CRLF) off `input`: `Err(too_long)` if it would exceed
/// `max` bytes, `Err(400)` if it ends in a bare LF.
fn take_line(input: &mut BytesMut, max: usize, too_long: StatusCode) -> Result<Option<BytesMut>, StatusCode> {
    match input.iter().position(|&b| b == b'\n') {
        Some(i) if i > max => Err(too_long),
        Some(0) => Err(StatusCode::BAD_REQUEST),
        Some(i) if input[i - 1] != b'\r' => Err(StatusCode::BAD_REQUEST),
        Some(i) => {
            let mut line = input.split_to(i + 1);
            line.truncate(i - 1);
            Ok(Some(line))
        }
        None if input.len() > max => Err(too_long),
        None => Ok(None),
    }
}

/// `chunk-size [ chunk-ext ]`: 1 to 16 hex digits, then nothing or `;`-led extensions (whitespace
/// before `;` is tolerated, as RFC 9112 §7.1.1 allows). No sign, no `0x`, no overflow.
fn parse_chunk_size(line: &[u8]) -> Option<u64> {
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 || digits > 16 {
        return None;
    }
    let rest = line[digits..].trim_ascii_start();
    if !(rest.is_empty() || rest[0] == b';') || rest.iter().any(|&b| b == b'\r' || b == 0) {
        return None;
    }
    let hex = std::str::from_utf8(&line[..digits]).ok()?;
    u64::from_str_radix(hex, 16).ok()
}

/// A trailer line must be a well-formed field line; its content is otherwise ignored.
fn validate_trailer(line: &[u8]) -> Result<(), StatusCode> {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return Err(StatusCode::BAD_REQUEST);
    };
    let name = &line[..colon];
    let token = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    if name.is_empty() || !name.iter().all(token) || line[colon + 1..].iter().any(|&b| b == b'\r' || b == 0) {
        return Err(StatusCode::BAD_REQUEST);
    }
    Ok(())
}
