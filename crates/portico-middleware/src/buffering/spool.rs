//! Bodies read whole: in memory up to a threshold, then in a temporary file.

use std::{
    io,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll, ready},
};

use bytes::{Bytes, BytesMut};
use http::HeaderMap;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use portico_core::{Body, BoxError, BufferedBody};
use tempfile::TempPath;
use tokio::io::{AsyncRead, AsyncWriteExt, ReadBuf};

/// A whole body, replayable.
#[derive(Clone, Debug)]
pub(crate) enum Spooled {
    /// Small enough for memory.
    Memory(BufferedBody),
    /// Spilled to a temporary file, removed when the last replay is dropped.
    File {
        path: Arc<TempPath>,
        len: u64,
        trailers: Option<HeaderMap>,
    },
}

/// Why a body could not be read whole.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SpoolError {
    /// More than the maximum.
    #[error("body larger than {0} bytes")]
    TooLarge(u64),
    /// The body failed.
    #[error("reading the body failed")]
    Body(#[source] BoxError),
    /// The temporary file failed.
    #[error("temporary file failed")]
    Io(#[from] io::Error),
}

/// Reads `body` whole: at most `max` bytes (0: no limit), keeping at most `mem`
/// of them in memory.
pub(crate) async fn spool(mut body: Body, mem: u64, max: u64) -> Result<Spooled, SpoolError> {
    let limit = (max > 0).then_some(max);
    if let (Some(max), Some(exact)) = (limit, http_body::Body::size_hint(&body).exact())
        && exact > max
    {
        return Err(SpoolError::TooLarge(max));
    }
    let mut memory = BufferedBody::default();
    let mut total: u64 = 0;
    let mut file: Option<(tokio::fs::File, TempPath)> = None;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| SpoolError::Body(e.into()))?;
        let data = match frame.into_data() {
            Ok(data) => data,
            Err(frame) => {
                memory.set_trailers(frame.into_trailers().ok());
                continue;
            }
        };
        total += data.len() as u64;
        if let Some(max) = limit
            && total > max
        {
            return Err(SpoolError::TooLarge(max));
        }
        match &mut file {
            Some((f, _)) => f.write_all(&data).await?,
            None if total > mem => {
                let (std_file, path) = tempfile::NamedTempFile::new()?.into_parts();
                let mut f = tokio::fs::File::from_std(std_file);
                for chunk in memory.take_chunks() {
                    f.write_all(&chunk).await?;
                }
                f.write_all(&data).await?;
                file = Some((f, path));
            }
            None => memory.push(data),
        }
    }
    Ok(match file {
        None => Spooled::Memory(memory),
        Some((mut f, path)) => {
            f.flush().await?;
            Spooled::File {
                path: Arc::new(path),
                len: total,
                trailers: memory.trailers().cloned(),
            }
        }
    })
}

// === impl Spooled ===

impl Spooled {
    /// The body's length in bytes.
    pub(crate) fn len(&self) -> u64 {
        match self {
            Spooled::Memory(buffered) => buffered.len(),
            Spooled::File { len, .. } => *len,
        }
    }

    /// A new body with the same bytes and trailers.
    pub(crate) fn body(&self) -> Result<Body, io::Error> {
        Ok(match self {
            Spooled::Memory(buffered) => buffered.body(),
            Spooled::File {
                path,
                len,
                trailers,
            } => {
                let file = tokio::fs::File::from_std(std::fs::File::open(path.as_ref())?);
                Body::new(FileBody {
                    file,
                    _path: path.clone(),
                    remaining: *len,
                    trailers: trailers.clone(),
                })
            }
        })
    }
}

/// A spooled file read back as a body.
struct FileBody {
    file: tokio::fs::File,
    _path: Arc<TempPath>,
    remaining: u64,
    trailers: Option<HeaderMap>,
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if self.remaining == 0 {
            return Poll::Ready(self.trailers.take().map(|t| Ok(Frame::trailers(t))));
        }
        let want = usize::try_from(self.remaining.min(64 * 1024)).unwrap_or(64 * 1024);
        let mut buf = BytesMut::zeroed(want);
        let mut read = ReadBuf::new(&mut buf);
        ready!(Pin::new(&mut self.file).poll_read(cx, &mut read))?;
        let n = read.filled().len();
        if n == 0 {
            return Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "spooled body file is shorter than what was written",
            ))));
        }
        buf.truncate(n);
        self.remaining -= n as u64;
        Poll::Ready(Some(Ok(Frame::data(buf.freeze()))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0 && self.trailers.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
