//! Decoding a chunked request body (RFC 9112 §7.1), incrementally and within the limits.

use bytes::{Buf, BytesMut};
use http::StatusCode;

/// Longest chunk-size line accepted (size, extensions, CRLF). Extensions are ignored, but an endless
/// one must not be buffered forever.
const MAX_SIZE_LINE: usize = 4096;

#[derive(Debug)]
pub(crate) struct Chunked {
    state: State,
    body: BytesMut,
    trailer_bytes: usize,
}

#[derive(Debug, Clone, Copy)]
enum State {
    Size,
    Data(u64),
    DataEnd,
    Trailers,
}

impl Chunked {
    pub fn new() -> Self {
        Chunked {
            state: State::Size,
            body: BytesMut::new(),
            trailer_bytes: 0,
        }
    }

    /// Decodes what it can from the front of `input`, consuming it. `Ok(Some(body))` once the last
    /// chunk and the trailer section are in; `Ok(None)` when more input is needed.
    ///
    /// Trailer fields are read, bounded by `max_trailer_bytes`, and dropped: a trailer that the
    /// handler cannot see cannot change how the request is understood.
    pub fn decode(
        &mut self,
        input: &mut BytesMut,
        max_body: usize,
        max_trailer_bytes: usize,
    ) -> Result<Option<BytesMut>, StatusCode> {
        loop {
            match self.state {
                State::Size => {
                    let Some(line) = take_line(input, MAX_SIZE_LINE, StatusCode::BAD_REQUEST)? else {
                        return Ok(None);
                    };
                    let size = parse_chunk_size(&line).ok_or(StatusCode::BAD_REQUEST)?;
                    if size > (max_body - self.body.len()) as u64 {
                        return Err(StatusCode::PAYLOAD_TOO_LARGE);
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
                    let n = (left as usize).min(input.len());
                    self.body.extend_from_slice(&input[..n]);
                    input.advance(n);
                    self.state = if n as u64 == left {
                        State::DataEnd
                    } else {
                        State::Data(left - n as u64)
                    };
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
                        return Ok(Some(std::mem::take(&mut self.body)));
                    }
                    validate_trailer(&line)?;
                }
            }
        }
    }

    /// Bytes of decoded body held so far.
    pub fn buffered(&self) -> usize {
        self.body.len()
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
