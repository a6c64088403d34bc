use core::pin::pin;

use std::io;

use compio::{
    buf::{BufResult, IntoInner, IoBuf},
    io::{AsyncRead, AsyncWrite, AsyncWriteExt},
    net::TcpStream,
};
use xitca_io::bytes::BytesMut;
use xitca_unsafe_collection::futures::{Select, SelectOutput};

use crate::error::Error;

use super::generic::{DriverRx, GenericDriver, WriteState};

/// postgres driver with compio support enabled
///
/// See [`CompIoDriver::from_tcp`] for usage
pub struct CompIoDriver {
    io: TcpStream,
    read_buf: BytesMut,
    rx: DriverRx,
    read_state: State,
    write_state: State,
}

pub(super) enum State {
    Running,
    Closed(Option<io::Error>),
}

impl CompIoDriver {
    /// convert an existing driver backed by tokio runtime to an driver that can run in compio runtime
    ///
    /// Then run it with [`CompIoDriver::run`] in a compio task; the client can be used from any runtime.
    pub fn from_tcp(drv: GenericDriver<xitca_io::net::TcpStream>) -> io::Result<Self> {
        let GenericDriver { io, read_buf, rx, .. } = drv;
        Ok(Self {
            io: TcpStream::from_std(io.into_std()?)?,
            read_buf: read_buf.into_inner(),
            rx,
            read_state: State::Running,
            write_state: State::Running,
        })
    }

    /// Runs the driver until the client is dropped or the connection fails. (Patched: 0.4.0's
    /// `into_async_iter`, an `async gen` block that needs nightly, as an ordinary future with the same
    /// loop; the server's notifications, which the async iterator yielded, are dropped.)
    pub async fn run(self) -> Result<(), Error> {
        let Self {
            io,
            mut read_buf,
            rx,
            mut read_state,
            mut write_state,
        } = self;
        let io = &io;
        let rx = &rx;

        let write = async {
            loop {
                match rx.wait().await {
                    WriteState::WantWrite => {
                        let buf = rx.guarded.lock().unwrap().buf.split();
                        let BufResult(res, _) = (&*io).write_all(buf).await;
                        res?;
                        (&*io).flush().await?;
                    }
                    _ => return Ok::<_, io::Error>(()),
                }
            }
        };

        let read = async {
            loop {
                loop {
                    match rx.try_decode(&mut read_buf) {
                        Ok(Some(_msg)) => continue,
                        Ok(None) => break,
                        Err(e) => return Err(SelectOutput::A(e)),
                    }
                }

                let len = read_buf.len();

                read_buf.reserve(4096);

                let BufResult(res, b) = (&*io).read(read_buf.slice(len..)).await;

                read_buf = b.into_inner();

                match res {
                    Ok(0) => return Ok(()),
                    Ok(_) => {}
                    Err(e) => return Err(SelectOutput::B(e)),
                }
            }
        };

        let mut read = pin!(read);
        let mut write = pin!(write);

        loop {
            let res = match (&mut write_state, &mut read_state) {
                (State::Running, State::Running) => write.as_mut().select(read.as_mut()).await,
                (State::Running, _) => SelectOutput::A(write.as_mut().await),
                (_, State::Running) => SelectOutput::B(read.as_mut().await),
                (State::Closed(None), State::Closed(None)) => {
                    (&*io).shutdown().await?;
                    return Ok(());
                }
                (State::Closed(err_w), State::Closed(err_r)) => {
                    return Err(Error::driver_io(err_r.take(), err_w.take()));
                }
            };

            match res {
                SelectOutput::A(Ok(_)) => write_state = State::Closed(None),
                SelectOutput::A(Err(e)) => write_state = State::Closed(Some(e)),
                SelectOutput::B(Ok(())) => read_state = State::Closed(None),
                SelectOutput::B(Err(SelectOutput::A(e))) => return Err(e),
                SelectOutput::B(Err(SelectOutput::B(e))) => read_state = State::Closed(Some(e)),
            }
        }
    }
}

