//! Integration tests: a real whoami server on `127.0.0.1:0`, real clients.

mod info;
mod serve;
mod streams;
mod support;
mod websocket;
