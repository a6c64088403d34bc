//! Any `tower::Service` over `http` types as a [`Handler`]: an axum `Router`, a tower stack, a
//! hyper-style service, served by whichever backend runs it (feature `tower`).
//!
//! - The service is cloned for each request and driven `poll_ready`, then `call` (what
//!   hyper-util's `TowerToHyperService`, under `axum::serve`, does); a not-ready or failed service
//!   costs that request a `500`, as does a panic (the backend catches it, as for every handler).
//! - The request body reaches the service as [`Body`], which streams (an `http_body::Body`); the
//!   response body is streamed back frame by frame. A response whose whole body is ready at once
//!   (axum's `&str`, `String`, `Json`) goes out as one write, as a whole [`Body`] would.
//! - **The peer address.** With [`Config::peer_addr`](crate::Config::peer_addr) set, each request
//!   carries [`PeerAddr`](crate::PeerAddr) in its extensions and, with the `axum` feature, axum's
//!   `ConnectInfo<SocketAddr>` as well, so the extractor works as under
//!   `into_make_service_with_connect_info::<SocketAddr>()`.
//! - **Upgrades.** With the `axum` feature, a request that asks to switch protocols is served
//!   through a hyper connection over an in-memory pipe, so that axum's `WebSocketUpgrade` (which
//!   needs hyper's `OnUpgrade`) works unchanged on every backend; see `upgrade.rs` for the cost.
//! - **A tokio context everywhere.** axum and tower-http reach for tokio at run time
//!   (`tokio::time::sleep`, `tokio::spawn`, `spawn_blocking`, tower-http's timeouts). On a backend
//!   that is not tokio (threads, may coroutines, smol, compio), every poll of the service's future
//!   runs inside the handle of one small tokio runtime that this module starts on first use (one
//!   thread, `tokio-context`, which drives its timers and runs what handlers spawn). On the tokio
//!   backends the service runs in the backend's own runtime. On the coroutine backend, await tokio's
//!   timer rather than calling [`sleep`](crate::sleep) inside a tower service: may's sleep blocks the
//!   coroutine inside the poll, and it may resume on another thread than the one the tokio context
//!   was entered on.

use std::future::poll_fn;
use std::pin::{Pin, pin};
use std::sync::OnceLock;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use tokio::runtime::{EnterGuard, Handle, Runtime};
use tower_service::Service;

use crate::body::BoxError;
use crate::{Body, Handler, Request, Response};

#[cfg(feature = "axum")]
mod upgrade;

/// A tower service as a [`Handler`]; see the [module docs](self).
#[derive(Clone)]
pub struct TowerHandler<S>(S);

/// Serves `service` as a [`Handler`]: `server::bind(config, from_service(router))`.
pub fn from_service<S>(service: S) -> TowerHandler<S> {
    TowerHandler(service)
}

impl<S, B> Handler for TowerHandler<S>
where
    S: Service<http::Request<Body>, Response = http::Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    // Boxed: a connection keeps room for its handler's future while it waits for the next request,
    // and a tower service's future is large (axum's `Router`, about 3 KB), so inline it would triple
    // what an idle connection holds. One allocation per request, as `Router` pays for its routes.
    fn call(&self, req: Request) -> impl Future<Output = Response> + Send {
        Box::pin(async move {
            #[cfg(feature = "axum")]
            let req = with_connect_info(req);
            #[cfg(feature = "axum")]
            if upgrade::wants_upgrade(&req) {
                return in_tokio(upgrade::through_hyper(self.0.clone(), req))
                    .await
                    .unwrap_or_else(|()| Response::internal_error());
            }
            let mut service = self.0.clone();
            let answered = in_tokio(async move {
                poll_fn(|cx| service.poll_ready(cx)).await?;
                service.call(req).await
            })
            .await;
            let Ok(resp) = answered.map_err(drop) else {
                return Response::internal_error();
            };
            let (parts, body) = resp.into_parts();
            let body = whole_if_ready(body).await;
            http::Response::from_parts(parts, body).into()
        })
    }
}

/// The peer address (there when `Config::peer_addr` is set) as axum's `ConnectInfo<SocketAddr>` too.
#[cfg(feature = "axum")]
fn with_connect_info(mut req: Request) -> Request {
    if let Some(&crate::PeerAddr(addr)) = req.extensions().get() {
        req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    }
    req
}

/// Polls `fut` inside a tokio context: the current one if there is one, else the fallback runtime's.
async fn in_tokio<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    poll_fn(|cx| {
        let _context = context();
        fut.as_mut().poll(cx)
    })
    .await
}

/// Enters the fallback runtime's context unless a tokio context is current already.
fn context() -> Option<EnterGuard<'static>> {
    Handle::try_current().is_err().then(|| fallback().enter())
}

/// The tokio runtime that gives a service a context on the backends that are not tokio.
fn fallback() -> &'static Handle {
    static HANDLE: OnceLock<Handle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("tokio-context")
            .build()
            .expect("building the tokio runtime that tower services run in");
        let handle = runtime.handle().clone();
        std::thread::Builder::new()
            .name("tokio-context".into())
            .spawn(move || keep_driving(runtime))
            .expect("starting the tokio-context thread");
        handle
    })
}

fn keep_driving(runtime: Runtime) {
    runtime.block_on(std::future::pending::<()>());
}

/// The response body as a whole [`Body`] when its exact size is known and its one frame is ready at
/// the first poll (the engine then writes head and body at once); otherwise streamed, that first
/// frame included, each poll inside a tokio context.
async fn whole_if_ready<B>(body: B) -> Body
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let mut body = InTokio(Box::pin(body));
    let hint = body.size_hint();
    if hint.exact().is_none() {
        return Body::new(body);
    }
    match poll_fn(|cx| Poll::Ready(Pin::new(&mut body).poll_frame(cx))).await {
        Poll::Ready(None) => Body::empty(),
        Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
            Ok(data) if data.len() as u64 == hint.lower() => Body::full(data),
            Ok(data) => Body::new(Prepend {
                first: Some(Frame::data(data)),
                rest: body,
                hint,
            }),
            Err(trailers) => Body::new(Prepend {
                first: Some(trailers),
                rest: body,
                hint,
            }),
        },
        Poll::Ready(Some(Err(e))) => Body::new(Failed(Some(e))),
        Poll::Pending => Body::new(body),
    }
}

/// A response body polled inside a tokio context (axum's `Sse` keep-alive, a body that reads a
/// tokio channel or timer).
struct InTokio<B>(Pin<Box<B>>);

impl<B> HttpBody for InTokio<B>
where
    B: HttpBody<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let _context = context();
        self.0.as_mut().poll_frame(cx).map_err(Into::into)
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.0.size_hint()
    }
}

/// A body whose first frame was already taken from `rest`; `hint` is the whole body's, from before.
struct Prepend<B> {
    first: Option<Frame<Bytes>>,
    rest: B,
    hint: SizeHint,
}

impl<B> HttpBody for Prepend<B>
where
    B: HttpBody<Data = Bytes, Error = BoxError> + Unpin,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if let Some(frame) = self.first.take() {
            return Poll::Ready(Some(Ok(frame)));
        }
        Pin::new(&mut self.rest).poll_frame(cx)
    }

    fn size_hint(&self) -> SizeHint {
        self.hint
    }
}

/// What is left of a body whose first poll failed: the failure, once.
struct Failed(Option<BoxError>);

impl HttpBody for Failed {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        Poll::Ready(self.0.take().map(Err))
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::future::{Ready, ready};

    use super::*;

    #[derive(Clone)]
    struct Hello;

    impl Service<http::Request<Body>> for Hello {
        type Response = http::Response<Body>;
        type Error = Infallible;
        type Future = Ready<Result<Self::Response, Infallible>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _: http::Request<Body>) -> Self::Future {
            ready(Ok(http::Response::new(Body::from("hello".to_string()))))
        }
    }

    #[test]
    fn the_handlers_future_is_boxed_so_an_idle_connection_keeps_no_room_for_it() {
        let handler = from_service(Hello);
        let fut = handler.call(Request::new(Body::empty()));
        assert_eq!(
            size_of_val(&fut),
            size_of::<usize>(),
            "one pointer: the future is on the heap"
        );
    }
}
