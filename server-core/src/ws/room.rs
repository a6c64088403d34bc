//! A broadcast room: every message a member sends goes to every member, the sender included.

use std::future::poll_fn;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;

use futures_core::Stream;

use super::{Message, WebSocket};

/// A room of WebSocket members (the route contract's `GET /ws/broadcast`). Each member has a queue
/// of `queue` messages: a member whose queue is full when a message is published is dropped from
/// the room and closed with 1008 (policy violation), so one client that does not read slows no
/// other and holds at most its queue; publishing never waits. The queue must hold a burst: one
/// read of a publishing client may bring dozens of messages, published before the other members'
/// sessions next run.
#[derive(Clone)]
pub struct Room {
    members: Arc<Mutex<Vec<Member>>>,
    queue: usize,
}

/// A member's id and the sending end of its queue.
type Member = (u64, async_channel::Sender<Message>);

/// What a member's session waits for next.
enum Event {
    /// From its client (`None`: the client closed).
    Received(Option<Message>),
    /// From the room (`None`: dropped for not keeping up).
    Published(Option<Message>),
}

impl Room {
    /// An empty room whose members each queue at most `queue` messages (at least 1).
    pub fn new(queue: usize) -> Self {
        Room {
            members: Arc::default(),
            queue: queue.max(1),
        }
    }

    /// How many members the room has.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the room has no members.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The session of one member, until its client closes or it is dropped for not keeping up:
    /// `ws::accept(req, limits, move |socket| room.join(socket))`.
    pub async fn join(self, mut socket: WebSocket) {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        let (sender, inbox) = async_channel::bounded(self.queue);
        let mut inbox = std::pin::pin!(inbox);
        self.lock().push((id, sender));
        loop {
            // The member's own queue first: a member that publishes a burst (its sender included)
            // sends what it has been given before it takes more from its client.
            let event = poll_fn(|cx| {
                if let Poll::Ready(published) = inbox.as_mut().poll_next(cx) {
                    return Poll::Ready(Event::Published(published));
                }
                socket.poll_recv().map(Event::Received)
            })
            .await;
            match event {
                Event::Received(Some(message)) => self.publish(&message),
                Event::Received(None) => break,
                Event::Published(Some(message)) => {
                    if socket.send(message).await.is_err() {
                        break;
                    }
                }
                Event::Published(None) => {
                    socket.close(1008, "too slow: the room's queue for this member was full");
                    break;
                }
            }
        }
        self.lock().retain(|(member, _)| *member != id);
    }

    /// Queues `message` for every member; a member whose queue is full leaves the room (its
    /// session then closes it).
    fn publish(&self, message: &Message) {
        self.lock()
            .retain(|(_, member)| member.try_send(message.clone()).is_ok());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Member>> {
        crate::runtime::lock(&self.members)
    }
}
