//! The fortunes page rendered by three compile-time template crates: sailfish (what /fortunes
//! uses), askama and yarte, from the same 13 rows (the added one included, sorted), each escaping
//! HTML. Why /fortunes uses sailfish is this bench's answer (docs/method.md, "The database").

use askama::Template as _;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use yarte::Template as _;

/// TechEmpower's 12 fortunes and the one added at request time, sorted by message.
fn rows() -> Vec<(i32, String)> {
    let mut rows: Vec<(i32, String)> = [
        (1, "fortune: No such file or directory"),
        (
            2,
            "A computer scientist is someone who fixes things that aren't broken.",
        ),
        (3, "After enough decimal places, nobody gives a damn."),
        (
            4,
            "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
        ),
        (
            5,
            "A computer program does what you tell it to do, not what you want it to do.",
        ),
        (
            6,
            "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
        ),
        (7, "Any program that runs right is obsolete."),
        (8, "A list is only as strong as its weakest link. — Donald Knuth"),
        (9, "Feature: A bug with seniority."),
        (10, "Computers make very fast, very accurate mistakes."),
        (
            11,
            "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
        ),
        (12, "フレームワークのベンチマーク"),
        (0, "Additional fortune added at request time."),
    ]
    .into_iter()
    .map(|(id, message)| (id, message.to_string()))
    .collect();
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    rows
}

#[derive(askama::Template)]
#[template(path = "fortunes.askama.html")]
struct Askama<'a> {
    fortunes: &'a [(i32, String)],
}

struct Fortune<'a> {
    id: i32,
    message: &'a str,
}

#[derive(yarte::Template)]
#[template(path = "fortunes")]
struct Yarte<'a> {
    fortunes: &'a [Fortune<'a>],
}

fn templates(c: &mut Criterion) {
    let rows = rows();
    let fortunes: Vec<Fortune> = rows
        .iter()
        .map(|(id, message)| Fortune { id: *id, message })
        .collect();
    let sailfish = bench::techempower::fortunes_html(&rows).unwrap();
    let askama = Askama { fortunes: &rows }.render().unwrap();
    let yarte = Yarte { fortunes: &fortunes }.call().unwrap();
    // The same page but for how each spells an escaped character (askama: `&#60;`, sailfish: `&lt;`).
    for page in [&sailfish, &askama, &yarte] {
        assert_eq!(page.matches("<tr><td>").count(), rows.len(), "{page}");
        assert!(
            !page.contains("<script>") && page.contains("フレームワーク"),
            "{page}"
        );
    }

    let mut group = c.benchmark_group("fortunes page");
    group.bench_function("sailfish", |b| {
        b.iter(|| bench::techempower::fortunes_html(black_box(&rows)).unwrap())
    });
    group.bench_function("askama", |b| {
        b.iter(|| {
            Askama {
                fortunes: black_box(&rows),
            }
            .render()
            .unwrap()
        })
    });
    group.bench_function("yarte", |b| {
        b.iter(|| {
            Yarte {
                fortunes: black_box(&fortunes),
            }
            .call()
            .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, templates);
criterion_main!(benches);
