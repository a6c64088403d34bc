//! The handler contract: anything that turns a [`Request`] into a [`Response`].

use std::future::{Future, IntoFuture};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::runtime::{self, Overloaded, Runtime};
use crate::{Request, Response, StatusCode, header};

/// A boxed, sendable future, as handlers stored behind `dyn` return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Go's `http.Handler` in Rust: one method from request to response.
///
/// The method returns a future so that a handler may wait (on a timer, an upstream call, an offloaded
/// computation) without knowing which backend serves it. A synchronous handler returns a future that is
/// already complete; every backend polls it once, inline, so it costs what a plain function call costs.
/// The blocking backends (threads, coroutines) drive a pending handler by parking their thread or
/// coroutine until the waker fires; the async backends simply `.await` it in the connection's task.
///
/// Closures are handlers, synchronous or not:
///
/// ```
/// use server_core::{Handler, Request, Response};
/// fn assert_handler(_: impl Handler) {}
///
/// assert_handler(|_req: Request| Response::text("hello"));
/// assert_handler(|_req: Request| async {
///     server_core::sleep(std::time::Duration::from_millis(5)).await;
///     Response::text("waited")
/// });
/// ```
///
/// and so is any type that implements the trait, the way a Go type implements `ServeHTTP`:
///
/// ```
/// use server_core::{Handler, Request, Response};
///
/// struct Greeter { greeting: String }
///
/// impl Handler for Greeter {
///     async fn call(&self, req: Request) -> Response {
///         Response::text(format!("{}, {}", self.greeting, req.uri().path()))
///     }
/// }
/// ```
///
/// A handler that panics costs its own request a `500 Internal Server Error`; the connection is then
/// closed and the server carries on.
///
/// Each connection keeps room for its handler's future, also while it waits for the next request:
/// a handler whose future is large (more than a few hundred bytes: `size_of_val(&fut)`) should
/// return it boxed (`Box::pin`), as [`Router`](crate::Router) and the tower adapter do.
pub trait Handler: Send + Sync + 'static {
    /// Answers one request.
    fn call(&self, req: Request) -> impl Future<Output = Response> + Send;
}

impl<F, R> Handler for F
where
    F: Fn(Request) -> R + Send + Sync + 'static,
    R: IntoFuture<Output = Response>,
    R::IntoFuture: Send,
{
    fn call(&self, req: Request) -> impl Future<Output = Response> + Send {
        self(req).into_future()
    }
}

/// A handler behind a `Box<dyn ..>`, for storing handlers of different types together (the router does).
/// Costs one allocation per request for the boxed future.
pub struct BoxHandler(Box<dyn DynHandler>);

impl BoxHandler {
    /// Boxes `handler`.
    pub fn new(handler: impl Handler) -> Self {
        BoxHandler(Box::new(handler))
    }

    /// The handler's future, boxed.
    pub(crate) fn call_boxed(&self, req: Request) -> BoxFuture<'_, Response> {
        self.0.call_boxed(req)
    }
}

impl Handler for BoxHandler {
    fn call(&self, req: Request) -> impl Future<Output = Response> + Send {
        self.call_boxed(req)
    }
}

trait DynHandler: Send + Sync + 'static {
    fn call_boxed(&self, req: Request) -> BoxFuture<'_, Response>;
}

impl<H: Handler> DynHandler for H {
    fn call_boxed(&self, req: Request) -> BoxFuture<'_, Response> {
        Box::pin(self.call(req))
    }
}

/// Runs `handler` on `req` as every backend must: with `rt` installed for [`sleep`](crate::sleep) and
/// [`unblock`](crate::unblock), with a panic turned into a `500` response, and a full offload queue
/// ([`Overloaded`](crate::Overloaded), which `unblock` resumes as an unwind) into a
/// `503 Service Unavailable` with `Retry-After: 1`.
///
/// Returns the response and whether the handler panicked (the caller then closes the connection, since a
/// half-run handler may have left shared state odd, as Go's `net/http` also does). An overload is not
/// a panic: it unwinds from an `.await` of `unblock`, which leaves the handler as dropping its future
/// there would (as when its client leaves), so the connection stays open.
pub fn respond<H: Handler>(
    handler: &H,
    req: Request,
    rt: &'static dyn Runtime,
) -> Respond<impl Future<Output = Response> + Send> {
    runtime::install(rt);
    let call = catch_unwind(AssertUnwindSafe(|| handler.call(req)));
    Respond {
        call: call.ok().map(|fut| Guarded { fut, rt }),
    }
}

/// The future [`respond`] returns: as small as the handler's own future, since every connection
/// holds one in its state.
pub struct Respond<F> {
    /// `None`: the handler panicked before returning its future.
    call: Option<Guarded<F>>,
}

impl<F: Future<Output = Response>> Future for Respond<F> {
    type Output = (Response, bool);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `call` is structurally pinned: never moved out, and `Respond` has no `Drop` or
        // `Unpin` impl that could move it.
        let call = unsafe { self.map_unchecked_mut(|this| &mut this.call) }.as_pin_mut();
        match call {
            None => Poll::Ready((Response::internal_error(), true)),
            Some(call) => call.poll(cx).map(|out| match out {
                Ok(resp) => (resp, false),
                Err(Caught::Panicked) => (Response::internal_error(), true),
                Err(Caught::Overloaded) => (overloaded(), false),
            }),
        }
    }
}

/// A handler's code panicked (in its future, or in its response body's producer).
#[derive(Debug)]
pub struct Panicked;

/// What unwound out of handler code.
enum Caught {
    Panicked,
    /// [`Overloaded`] resumed by [`unblock`](crate::unblock).
    Overloaded,
}

/// The answer to a handler whose offloaded work found the queue full.
fn overloaded() -> Response {
    Response::text("Service Unavailable: the server is overloaded\n")
        .with_status(StatusCode::SERVICE_UNAVAILABLE)
        .with_header(header::RETRY_AFTER, "1")
}

/// Polls `fut` as handler code is polled: with `rt` installed for [`sleep`](crate::sleep) and
/// [`unblock`](crate::unblock), and a panic caught. Response bodies are produced by handler code
/// too, so the connection polls them through this as well. (A full offload queue met there is a
/// panic too: the response has begun.)
pub fn guarded<F: Future>(
    rt: &'static dyn Runtime,
    fut: F,
) -> impl Future<Output = Result<F::Output, Panicked>> {
    let guarded = Guarded { fut, rt };
    async move { guarded.await.map_err(|_| Panicked) }
}

struct Guarded<F> {
    fut: F,
    rt: &'static dyn Runtime,
}

impl<F: Future> Future for Guarded<F> {
    type Output = Result<F::Output, Caught>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `fut` is structurally pinned: it is never moved out of `self`, and `Guarded`
        // has no `Drop` impl or `Unpin` impl that could move it.
        let this = unsafe { self.get_unchecked_mut() };
        let fut = unsafe { Pin::new_unchecked(&mut this.fut) };
        runtime::install(this.rt);
        match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(poll) => poll.map(Ok),
            Err(payload) if payload.is::<Overloaded>() => Poll::Ready(Err(Caught::Overloaded)),
            Err(_) => Poll::Ready(Err(Caught::Panicked)),
        }
    }
}
