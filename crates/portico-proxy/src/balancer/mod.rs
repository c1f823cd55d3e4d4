//! Server selection strategies.

mod wrr;

pub use self::wrr::Wrr;
