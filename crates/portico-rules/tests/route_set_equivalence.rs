//! `RouteSet::find` (host-indexed) gives exactly what a naive linear scan gives, over many
//! generated rule tables and requests.

use portico_rules::{RequestView, RouteSet, Rule, Syntax};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const HOSTS: &[&str] = &[
    "a.example.com",
    "b.example.com",
    "x.a.example.com",
    "example.com",
    "other.org",
    "localhost",
    "A.Example.com",
    "a.example.com.",
    "example.com..",
    "",
    "\u{212a}.example.com",
];

fn leaf(rng: &mut Rng) -> String {
    let host = |rng: &mut Rng| {
        rng.pick(&[
            "a.example.com",
            "b.example.com",
            "example.com",
            "example.com.",
            "*.example.com",
            "*.a.example.com",
            "*",
            "*.",
            "localhost",
            "other.org",
            "k.example.com",
            "**.example.com",
        ])
    };
    match rng.below(9) {
        0..=3 => format!("Host(`{}`)", host(rng)),
        4 => format!(
            "PathPrefix(`{}`)",
            rng.pick(&["/", "/api", "/api/v1", "/x"])
        ),
        5 => format!("Path(`{}`)", rng.pick(&["/", "/api", "/x"])),
        6 => format!("Method(`{}`)", rng.pick(&["GET", "POST"])),
        7 => format!(
            "HostRegexp(`{}`)",
            rng.pick(&[
                "^a\\.",
                "example\\.com$",
                "^$",
                "x*",
                "^[a-z]+\\.example\\.com$"
            ])
        ),
        _ => format!("Header(`X-Env`, `{}`)", rng.pick(&["prod", "dev"])),
    }
}

fn expr(rng: &mut Rng, depth: usize) -> String {
    if depth == 0 || rng.below(3) == 0 {
        let l = leaf(rng);
        return if rng.below(6) == 0 {
            format!("!{l}")
        } else {
            l
        };
    }
    let a = expr(rng, depth - 1);
    let b = expr(rng, depth - 1);
    let op = if rng.below(2) == 0 { "&&" } else { "||" };
    let e = format!("({a} {op} {b})");
    if rng.below(8) == 0 {
        format!("!{e}")
    } else {
        e
    }
}

#[test]
fn indexed_find_equals_linear_scan() {
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    let methods = [http::Method::GET, http::Method::POST];
    let mut checked = 0;
    let mut matched = 0;
    for _table in 0..60 {
        let n = 1 + rng.below(120);
        let mut builder = RouteSet::builder();
        let mut naive = Vec::new();
        for i in 0..n {
            let src = expr(&mut rng, 3);
            let rule = Rule::parse(&src, Syntax::V3).unwrap_or_else(|e| panic!("{src}: {e}"));
            let priority = if rng.below(3) == 0 {
                rule.default_priority()
            } else {
                rng.below(5) as i64
            };
            naive.push((rule.clone(), priority, i));
            builder.push(rule, priority, i);
        }
        let set = builder.build();
        // The reference: a stable sort by descending priority, then a linear scan.
        naive.sort_by_key(|(_, priority, _)| std::cmp::Reverse(*priority));
        for _req in 0..300 {
            let mut headers = http::HeaderMap::new();
            if rng.below(2) == 0 {
                let env = if rng.below(2) == 0 { "prod" } else { "dev" };
                headers.insert("x-env", env.parse().unwrap());
            }
            let method = &methods[rng.below(2)];
            let req = RequestView {
                method,
                host: rng.pick(HOSTS),
                path: rng.pick(&["/", "/api", "/api/v1/x", "/x", "/y"]),
                query: None,
                headers: &headers,
                client_ip: None,
            };
            let linear = naive
                .iter()
                .find(|(rule, _, _)| rule.matches(&req))
                .map(|(_, _, v)| v);
            assert_eq!(
                set.find(&req),
                linear,
                "host={:?} path={}",
                req.host,
                req.path
            );
            checked += 1;
            matched += usize::from(linear.is_some());
        }
    }
    assert_eq!(checked, 60 * 300);
    assert!(
        matched > checked / 10 && matched < checked,
        "{matched} of {checked} matched"
    );
}

#[test]
fn v2_hosts_are_indexed_too() {
    let mut builder = RouteSet::builder();
    builder.push(
        Rule::parse("Host(`a.com`, `b.com.`)", Syntax::V2).unwrap(),
        5,
        "ab",
    );
    builder.push(
        Rule::parse("PathPrefix(`/`)", Syntax::V2).unwrap(),
        1,
        "any",
    );
    let set = builder.build();
    let headers = http::HeaderMap::new();
    let req = |host| RequestView {
        method: &http::Method::GET,
        host,
        path: "/",
        query: None,
        headers: &headers,
        client_ip: None,
    };
    assert_eq!(set.find(&req("b.com")), Some(&"ab"));
    assert_eq!(set.find(&req("a.com.")), Some(&"ab"));
    assert_eq!(set.find(&req("c.com")), Some(&"any"));
}
