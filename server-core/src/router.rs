//! A small request router in the spirit of Go's `http.ServeMux`: exact paths, method matching,
//! `404` for unknown paths and `405` with `Allow` for a known path with another method.

use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasherDefault, Hasher};

use http::{HeaderValue, Method, StatusCode, header};

use crate::{BoxFuture, BoxHandler, Handler, Request, Response};

/// Routes requests to handlers by exact path and method.
///
/// ```
/// use server_core::{Request, Response, Router, StatusCode};
///
/// let router = Router::new()
///     .get("/hello", |_req: Request| Response::text("hello"))
///     .post("/echo", |req: Request| Response::new(StatusCode::OK).with_body(req.into_body()));
/// ```
///
/// A `GET` route also answers `HEAD` (the engine then sends the headers without the body), as in Go.
#[derive(Default)]
pub struct Router {
    routes: HashMap<String, Vec<(Method, BoxHandler)>, BuildHasherDefault<Fnv>>,
    fallback: Option<BoxHandler>,
}

/// FNV-1a, for the route table: its keys are fixed before the first request, so a keyed hash
/// (std's SipHash, about 100 instructions per lookup of `/plaintext` under callgrind) guards
/// against no flooding here.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Router {
    /// An empty router: every request gets `404`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `method path` with `handler`. A later route for the same method and path replaces it.
    pub fn route(mut self, method: Method, path: &str, handler: impl Handler) -> Self {
        let methods = self.routes.entry(path.to_owned()).or_default();
        methods.retain(|(m, _)| *m != method);
        methods.push((method, BoxHandler::new(handler)));
        self
    }

    /// Serves `GET path` (and `HEAD path`).
    pub fn get(self, path: &str, handler: impl Handler) -> Self {
        self.route(Method::GET, path, handler)
    }

    /// Serves `POST path`.
    pub fn post(self, path: &str, handler: impl Handler) -> Self {
        self.route(Method::POST, path, handler)
    }

    /// Serves requests for unknown paths (instead of `404`).
    pub fn fallback(mut self, handler: impl Handler) -> Self {
        self.fallback = Some(BoxHandler::new(handler));
        self
    }

    fn lookup(&self, method: &Method, path: &str) -> Route<'_> {
        let Some(methods) = self.routes.get(path) else {
            return self
                .fallback
                .as_ref()
                .map_or_else(|| Route::Refused(Response::not_found()), Route::Found);
        };
        let find = |wanted: &Method| methods.iter().find(|(m, _)| m == wanted).map(|(_, h)| h);
        if let Some(h) =
            find(method).or_else(|| (*method == Method::HEAD).then(|| find(&Method::GET)).flatten())
        {
            return Route::Found(h);
        }
        let mut allow: Vec<&str> = methods.iter().map(|(m, _)| m.as_str()).collect();
        if allow.contains(&"GET") && !allow.contains(&"HEAD") {
            allow.push("HEAD");
        }
        let mut resp = Response::status(StatusCode::METHOD_NOT_ALLOWED);
        if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
            resp.headers_mut().insert(header::ALLOW, v);
        }
        Route::Refused(resp)
    }
}

enum Route<'a> {
    Found(&'a BoxHandler),
    Refused(Response),
}

impl Handler for Router {
    fn call(&self, req: Request) -> impl Future<Output = Response> + Send {
        // One boxed future whatever the route (a refusal is boxed too, rarely): every connection
        // holds the router's future in its state, so it is kept to two words.
        let routed: BoxFuture<'_, Response> = match self.lookup(req.method(), req.uri().path()) {
            Route::Found(handler) => handler.call_boxed(req),
            Route::Refused(resp) => Box::pin(std::future::ready(resp)),
        };
        routed
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    use super::*;

    fn call(router: &Router, method: Method, path: &str) -> Response {
        let req = http::Request::builder()
            .method(method)
            .uri(path)
            .body(crate::Body::empty())
            .unwrap();
        let mut fut = std::pin::pin!(router.call(req));
        match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(resp) => resp,
            Poll::Pending => panic!("synchronous handlers are ready at once"),
        }
    }

    fn text(mut resp: Response) -> String {
        String::from_utf8(resp.body_mut().take_whole().unwrap().to_vec()).unwrap()
    }

    #[test]
    fn routes_by_path_and_method() {
        let router = Router::new()
            .get("/a", |_req: Request| Response::text("get a"))
            .post("/a", |_req: Request| Response::text("post a"))
            .route(Method::PUT, "/b", |_req: Request| Response::text("put b"));
        assert_eq!(text(call(&router, Method::GET, "/a")), "get a");
        assert_eq!(text(call(&router, Method::POST, "/a")), "post a");
        assert_eq!(
            text(call(&router, Method::HEAD, "/a")),
            "get a",
            "GET serves HEAD"
        );
        assert_eq!(
            text(call(&router, Method::GET, "/a?x=1")),
            "get a",
            "query is not part of the path"
        );
        assert_eq!(
            call(&router, Method::GET, "/missing").status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            call(&router, Method::GET, "/a/").status(),
            StatusCode::NOT_FOUND,
            "exact paths only"
        );

        let resp = call(&router, Method::DELETE, "/a");
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(resp.headers()[header::ALLOW], "GET, POST, HEAD");
        let resp = call(&router, Method::GET, "/b");
        assert_eq!(resp.headers()[header::ALLOW], "PUT");
    }

    #[test]
    fn fallback_and_replacement() {
        let router = Router::new()
            .get("/a", |_req: Request| Response::text("old"))
            .get("/a", |_req: Request| Response::text("new"))
            .fallback(|_req: Request| Response::text("fallback"));
        assert_eq!(text(call(&router, Method::GET, "/a")), "new");
        assert_eq!(text(call(&router, Method::GET, "/zzz")), "fallback");
    }
}
