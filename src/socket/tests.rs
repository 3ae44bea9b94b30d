//! Unit tests of the socket over the scripted transport.

use super::batch::chunk_end;
use super::fake::{self, Incoming, PORT, error_reply, kernel, message, requests};
use super::*;
use crate::error::Error;
use crate::wire::nlmsg::NLMSG_DONE;
use crate::wire::nlmsg::{RTM_GETLINK, RTM_NEWLINK, RTM_SETLINK};
use crate::wire::{Builder, DecodeError, NlmsgBuffer};

const IFINFO: [u8; 16] = [0; 16];

fn seq_of(request: &[u8]) -> u32 {
    NlmsgBuffer::new_checked(request).unwrap().sequence_number()
}

#[test]
fn batch_push_failure_leaves_the_batch_unchanged() {
    let mut b = Batch::new();
    b.push(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap();
    let before = (b.bytes().to_vec(), b.len());
    let too_big = vec![0u8; 70_000];
    // A payload that encodes part-way, then fails: an attribute too large for nla_len.
    struct Bad<'a>(&'a [u8]);
    impl Emit for Bad<'_> {
        fn buffer_len(&self) -> usize {
            16 + self.0.len()
        }
        fn emit(&self, b: &mut Builder<'_>) -> std::result::Result<(), crate::wire::EncodeError> {
            b.put(&IFINFO)?;
            b.attr(1, self.0)
        }
    }
    assert!(
        b.push(RTM_SETLINK, NlmsgFlags::empty(), &Bad(&too_big[..70_000]))
            .is_err()
    );
    assert_eq!((b.bytes().to_vec(), b.len()), before);
    b.push(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap();
    assert_eq!(b.len(), 2);
    assert_eq!(b.bytes().len(), 2 * 32);
}

fn acking() -> fake::Responder {
    Box::new(|d| {
        requests(d)
            .iter()
            .map(|r| kernel(error_reply(r, 0, None)))
            .collect()
    })
}

#[test]
fn request_sets_request_and_ack_flags() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(acking());
    s.request(
        RTM_NEWLINK,
        NlmsgFlags::CREATE | NlmsgFlags::EXCL,
        &IFINFO[..],
    )
    .unwrap();
    let sent = st.lock().unwrap().sent[0].clone();
    let m = NlmsgBuffer::new_checked(&sent[..]).unwrap();
    assert_eq!(m.message_type(), RTM_NEWLINK);
    assert_eq!(
        m.flags(),
        NlmsgFlags::REQUEST | NlmsgFlags::ACK | NlmsgFlags::CREATE | NlmsgFlags::EXCL
    );
    assert_eq!(m.payload(), &IFINFO);
}

#[test]
fn stale_sequence_is_skipped_not_returned() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(Box::new(|d| {
        let req = &requests(d)[0];
        let seq = seq_of(req);
        // A late EEXIST for an older request, then a reply for a future seq, then ours.
        let mut stale = req.clone();
        stale[8..12].copy_from_slice(&(seq - 1).to_ne_bytes());
        let mut future = req.clone();
        future[8..12].copy_from_slice(&(seq + 7).to_ne_bytes());
        vec![
            kernel(error_reply(&stale, libc::EEXIST, None)),
            kernel(error_reply(&future, libc::EPERM, None)),
            kernel(error_reply(req, 0, None)),
        ]
    }));
    s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap();
    s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap();
    assert!(st.lock().unwrap().incoming.is_empty());
}

#[test]
fn foreign_sender_and_foreign_port_are_ignored() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(Box::new(|d| {
        let req = &requests(d)[0];
        let mut other_port = error_reply(req, libc::EPERM, None);
        other_port[12..16].copy_from_slice(&(PORT + 1).to_ne_bytes());
        vec![
            // Another process sending to our port: not the kernel.
            Incoming::Datagram {
                sender: 777,
                bytes: error_reply(req, libc::EPERM, None),
                truncated: false,
            },
            // From the kernel, but addressed to another port (a notification).
            kernel(other_port),
            kernel(error_reply(req, 0, None)),
        ]
    }));
    s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap();
}

/// A responder acknowledging every request of a datagram (0 = success).
fn ack_all(errno: i32) -> fake::Responder {
    Box::new(move |d| {
        requests(d)
            .iter()
            .map(|r| kernel(error_reply(r, errno, Some("refused"))))
            .collect()
    })
}

#[test]
fn acknowledgements_are_read_without_a_peek_answers_with_one() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(ack_all(0));
    s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap();
    let mut b = Batch::new();
    for _ in 0..3 {
        b.push(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
            .unwrap();
    }
    assert_eq!(s.batch(&b, BatchMode::Force).unwrap().len(), 3);
    assert_eq!(st.lock().unwrap().peeks, 0);
    // NLM_F_ECHO: the object comes back too, of any size.
    s.request(RTM_SETLINK, NlmsgFlags::ECHO, &IFINFO[..])
        .unwrap();
    assert_eq!(st.lock().unwrap().peeks, 1);
    let mut b = Batch::new();
    b.push(RTM_SETLINK, NlmsgFlags::ECHO, &IFINFO[..]).unwrap();
    s.batch(&b, BatchMode::Force).unwrap();
    assert_eq!(st.lock().unwrap().peeks, 2);
    // A get's answer can be any size: peeked.
    st.lock().unwrap().responder = Some(Box::new(|d| {
        let req = &requests(d)[0];
        let seq = NlmsgBuffer::new_checked(&req[..])
            .unwrap()
            .sequence_number();
        vec![
            kernel(message(
                RTM_NEWLINK,
                NlmsgFlags::empty(),
                seq,
                PORT,
                &IFINFO,
            )),
            kernel(error_reply(req, 0, None)),
        ]
    }));
    s.get(RTM_GETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap();
    assert_eq!(st.lock().unwrap().peeks, 4);
    // On a subscribed socket an event may come before the acknowledgement, of any
    // size: a 100 KiB one is cut short, skipped as any event is, and the
    // acknowledgement after it is read, still without a peek.
    st.lock().unwrap().responder = Some(Box::new(|d| {
        let req = &requests(d)[0];
        let event = message(
            RTM_NEWLINK,
            NlmsgFlags::empty(),
            0,
            0,
            &vec![0u8; 100 * 1024],
        );
        vec![kernel(event), kernel(error_reply(req, 0, None))]
    }));
    s.subscribe(RTNLGRP_LINK).unwrap();
    s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap();
    assert_eq!(st.lock().unwrap().peeks, 4);
    assert!(st.lock().unwrap().incoming.is_empty());
}

#[test]
fn a_cut_datagram_that_answers_nothing_waited_for_is_dropped() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(Box::new(|d| {
        let req = &requests(d)[0];
        let seq = NlmsgBuffer::new_checked(&req[..])
            .unwrap()
            .sequence_number();
        // A late 100 KiB answer to an abandoned request (an older sequence number),
        // then the acknowledgement.
        let late = message(
            RTM_NEWLINK,
            NlmsgFlags::empty(),
            seq.wrapping_sub(1),
            PORT,
            &vec![0u8; 100 * 1024],
        );
        vec![
            Incoming::Datagram {
                sender: 0,
                bytes: late,
                truncated: false,
            },
            kernel(error_reply(req, 0, None)),
        ]
    }));
    s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap();
    assert_eq!(st.lock().unwrap().peeks, 0);
}

#[test]
fn the_refusal_of_a_large_request_fits_whole() {
    // A failed request is echoed whole in its error: 60 KiB of attributes, in a batch
    // and alone, come back with the extended ack, not cut short.
    let mut big = IFINFO.to_vec();
    let mut b = Builder::from_vec(Vec::new());
    // Attribute 20 (IFLA_IFALIAS): what it is does not matter to the socket.
    b.attr(20, &vec![b'a'; 60 * 1024][..]).unwrap();
    big.extend_from_slice(&b.into_vec());
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(ack_all(libc::EINVAL));
    let e = s
        .request(RTM_SETLINK, NlmsgFlags::empty(), &big[..])
        .unwrap_err();
    let Error::Kernel(k) = e else { panic!("{e:?}") };
    assert_eq!(k.message.as_deref(), Some("refused"));
    let mut batch = Batch::new();
    batch
        .push(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap();
    batch
        .push(RTM_SETLINK, NlmsgFlags::empty(), &big[..])
        .unwrap();
    let r = s.batch(&batch, BatchMode::Force).unwrap();
    assert_eq!(r.len(), 2);
    for r in r {
        assert!(
            matches!(r, Err(Error::Kernel(ref k)) if k.message.as_deref() == Some("refused")),
            "{r:?}"
        );
    }
    assert_eq!(st.lock().unwrap().peeks, 0);
}

#[test]
fn truncated_datagram_is_an_error_and_the_next_request_is_clean() {
    let (mut s, st) = fake::socket();
    let mut first = true;
    st.lock().unwrap().responder = Some(Box::new(move |d| {
        let req = &requests(d)[0];
        let mut reply = error_reply(req, 0, None);
        if std::mem::take(&mut first) {
            reply = error_reply(req, libc::EINVAL, Some(&"x".repeat(100)));
            return vec![Incoming::Datagram {
                sender: 0,
                bytes: reply,
                truncated: true,
            }];
        }
        vec![kernel(reply)]
    }));
    let e = s
        .request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap_err();
    assert!(
        matches!(e, Error::Decode(DecodeError::Truncated { offset: 0, .. })),
        "{e:?}"
    );
    s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap();
}

#[test]
fn kernel_error_carries_errno_ext_ack_and_request() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(Box::new(|d| {
        let req = &requests(d)[0];
        vec![kernel(error_reply(
            req,
            libc::EOPNOTSUPP,
            Some("Unknown device type"),
        ))]
    }));
    let e = s
        .request(RTM_NEWLINK, NlmsgFlags::CREATE, &IFINFO[..])
        .unwrap_err();
    let k = e.kernel().unwrap();
    assert_eq!(k.errno, libc::EOPNOTSUPP);
    assert_eq!(k.message.as_deref(), Some("Unknown device type"));
    assert_eq!(k.request_type, RTM_NEWLINK);
    assert_eq!(k.request_seq, 1);
    assert_eq!(k.request_index, None);
}

#[test]
fn timeout_instead_of_hang() {
    let (mut s, _st) = fake::socket();
    s.set_timeout(Some(Duration::from_millis(10))).unwrap();
    let e = s
        .request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap_err();
    assert!(
        matches!(e, Error::Timeout(d) if d == Duration::from_millis(10)),
        "{e:?}"
    );
}

#[test]
fn eintr_is_retried_and_enobufs_is_overrun() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(Box::new(|d| {
        let req = &requests(d)[0];
        vec![
            Incoming::Errno(libc::EINTR),
            kernel(error_reply(req, 0, None)),
        ]
    }));
    s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap();

    let (mut s, st) = fake::socket();
    let event = message(RTM_NEWLINK, NlmsgFlags::empty(), 0, 0, &IFINFO);
    st.lock()
        .unwrap()
        .incoming
        .extend([Incoming::Errno(libc::ENOBUFS), kernel(event.clone())]);
    assert!(s.recv_event().unwrap_err().is_overrun());
    assert_eq!(s.recv_event().unwrap().bytes(), &event[..]);
}

#[test]
fn get_returns_the_answer_and_drains_the_ack() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(Box::new(|d| {
        let req = &requests(d)[0];
        // Answer and ACK in one datagram.
        let mut dg = message(
            RTM_NEWLINK,
            NlmsgFlags::empty(),
            seq_of(req),
            PORT,
            &[1; 20],
        );
        dg.extend(error_reply(req, 0, None));
        vec![kernel(dg)]
    }));
    let m = s
        .get(RTM_GETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap();
    assert_eq!(m.message_type(), RTM_NEWLINK);
    assert_eq!(m.payload(), &[1; 20]);
    // The closure's error comes back only after the ACK was read.
    let e = s
        .get_map(
            RTM_GETLINK,
            NlmsgFlags::empty(),
            &IFINFO[..],
            |_| -> Result<()> { Err(Error::invalid("test", "refused")) },
        )
        .unwrap_err();
    assert!(e.is_invalid());
    assert!(st.lock().unwrap().incoming.is_empty());
}

#[test]
fn get_without_answer_is_a_protocol_error() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(acking());
    let e = s
        .get(RTM_GETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap_err();
    assert!(matches!(e, Error::Protocol(_)), "{e:?}");
}

/// A responder for dumps: `records` records over datagrams of `per` messages, then DONE
/// with `done_error`, `done_flags` and an optional ext-ack message.
fn dumping(
    records: usize,
    per: usize,
    intr_at: Option<usize>,
    done_error: i32,
    done_ext: Option<&'static str>,
) -> fake::Responder {
    Box::new(move |d| {
        let req = &requests(d)[0];
        let seq = seq_of(req);
        let hdr = NlmsgBuffer::new_checked(&req[..]).unwrap();
        if !hdr.flags().contains(NlmsgFlags::DUMP) {
            return vec![kernel(error_reply(req, 0, None))];
        }
        let mut out = Vec::new();
        let mut dg = Vec::new();
        let mut intr = false;
        for i in 0..records {
            let mut flags = NlmsgFlags::MULTI;
            if intr_at == Some(i) {
                intr = true;
            }
            if intr {
                flags |= NlmsgFlags::DUMP_INTR;
            }
            dg.extend(message(
                RTM_NEWLINK,
                flags,
                seq,
                PORT,
                &(i as u32).to_ne_bytes(),
            ));
            if (i + 1) % per == 0 {
                out.push(kernel(std::mem::take(&mut dg)));
            }
        }
        let mut b = Builder::new();
        b.put_i32(done_error).unwrap();
        let mut flags = NlmsgFlags::MULTI;
        if let Some(text) = done_ext {
            b.attr_str(crate::wire::error::NLMSGERR_ATTR_MSG, text)
                .unwrap();
            flags |= NlmsgFlags::ACK_TLVS;
        }
        if intr_at == Some(records) {
            flags |= NlmsgFlags::DUMP_INTR;
        }
        dg.extend(message(NLMSG_DONE, flags, seq, PORT, &b.into_vec()));
        out.push(kernel(dg));
        out
    })
}

fn index(payload: &[u8]) -> Result<u32> {
    Ok(u32::from_ne_bytes(payload.try_into().unwrap()))
}

#[test]
fn dump_streams_every_record() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(dumping(10, 3, None, 0, None));
    let got: Vec<u32> = s
        .dump_map(RTM_GETLINK, &IFINFO[..], index)
        .unwrap()
        .collect::<Result<_>>()
        .unwrap();
    assert_eq!(got, (0..10).collect::<Vec<_>>());
    let sent = st.lock().unwrap().sent[0].clone();
    let flags = NlmsgBuffer::new_checked(&sent[..]).unwrap().flags();
    assert_eq!(flags, NlmsgFlags::REQUEST | NlmsgFlags::DUMP);
}

#[test]
fn done_with_einval_and_ext_ack_is_a_kernel_error() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(dumping(
        2,
        5,
        None,
        -libc::EINVAL,
        Some("Invalid header for link dump"),
    ));
    let got: Vec<Result<u32>> = s
        .dump_map(RTM_GETLINK, &IFINFO[..], index)
        .unwrap()
        .collect();
    assert_eq!(got.len(), 3);
    let k = got[2].as_ref().unwrap_err().kernel().unwrap().clone();
    assert_eq!(k.errno, libc::EINVAL);
    assert_eq!(k.message.as_deref(), Some("Invalid header for link dump"));
    assert_eq!(k.request_type, RTM_GETLINK);
}

#[test]
fn dump_intr_is_reported_after_the_records_also_on_done() {
    for at in [0, 4, 7] {
        let (mut s, st) = fake::socket();
        st.lock().unwrap().responder = Some(dumping(7, 2, Some(at), 0, None));
        let got: Vec<Result<u32>> = s
            .dump_map(RTM_GETLINK, &IFINFO[..], index)
            .unwrap()
            .collect();
        assert_eq!(got.len(), 8, "intr at {at}");
        assert!(got[..7].iter().all(Result::is_ok));
        assert!(got[7].as_ref().unwrap_err().is_dump_interrupted());
    }
}

#[test]
fn dump_retry_retries_interrupted_dumps() {
    let (mut s, st) = fake::socket();
    let mut n = 0;
    let mut interrupted = dumping(5, 2, Some(1), 0, None);
    let mut clean = dumping(5, 2, None, 0, None);
    st.lock().unwrap().responder = Some(Box::new(move |d| {
        n += 1;
        if n <= 2 { interrupted(d) } else { clean(d) }
    }));
    let got = s.dump_retry(5, RTM_GETLINK, &IFINFO[..], index).unwrap();
    assert_eq!(got, vec![0, 1, 2, 3, 4]);
    assert_eq!(st.lock().unwrap().sent.len(), 3);

    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(dumping(5, 2, Some(1), 0, None));
    let e = s
        .dump_retry(2, RTM_GETLINK, &IFINFO[..], index)
        .unwrap_err();
    assert!(e.is_dump_interrupted());
    assert_eq!(st.lock().unwrap().sent.len(), 3);
}

#[test]
fn dropping_a_dump_early_drains_it() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(dumping(20, 3, None, 0, None));
    {
        let mut d = s.dump(RTM_GETLINK, &IFINFO[..]).unwrap();
        assert!(d.next_message().unwrap().is_ok());
    }
    assert!(st.lock().unwrap().incoming.is_empty());
    s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap();
}

#[test]
fn malformed_datagram_in_a_dump_is_an_error_with_offset() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(Box::new(|d| {
        let req = &requests(d)[0];
        let seq = seq_of(req);
        let mut dg = message(RTM_NEWLINK, NlmsgFlags::MULTI, seq, PORT, &[0; 4]);
        dg.extend([1, 2, 3]); // a remnant that is not a message
        vec![
            kernel(dg),
            kernel(message(NLMSG_DONE, NlmsgFlags::MULTI, seq, PORT, &[0; 4])),
        ]
    }));
    {
        let got: Vec<Result<u32>> = s
            .dump_map(RTM_GETLINK, &IFINFO[..], index)
            .unwrap()
            .collect();
        assert_eq!(got.len(), 2);
        let e = got[1].as_ref().unwrap_err();
        assert!(matches!(e, Error::Decode(d) if d.offset() == 20), "{e:?}");
    }
    // The DONE was drained.
    assert!(st.lock().unwrap().incoming.is_empty());
}

fn batch_of(n: usize) -> Batch {
    let mut b = Batch::new();
    for _ in 0..n {
        b.push(
            RTM_NEWLINK,
            NlmsgFlags::CREATE | NlmsgFlags::EXCL,
            &IFINFO[..],
        )
        .unwrap();
    }
    b
}

#[test]
fn batch_middle_failure_is_named_and_the_rest_is_drained() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(Box::new(|d| {
        let reqs = requests(d);
        if reqs.len() != 3 {
            return vec![kernel(error_reply(&reqs[0], 0, None))];
        }
        // The ACKs out of order, the failure in the middle, spread over two datagrams.
        let mut one = error_reply(&reqs[2], 0, None);
        one.extend(error_reply(&reqs[1], libc::EEXIST, Some("already there")));
        vec![kernel(one), kernel(error_reply(&reqs[0], 0, None))]
    }));
    let r = s.batch(&batch_of(3), BatchMode::Force).unwrap();
    assert_eq!(r.len(), 3);
    assert!(r[0].is_ok() && r[2].is_ok());
    let k = r[1].as_ref().unwrap_err().kernel().unwrap();
    assert_eq!(k.errno, libc::EEXIST);
    assert_eq!(k.request_index, Some(1));
    assert_eq!(k.request_seq, 2);
    assert_eq!(k.message.as_deref(), Some("already there"));
    // One sendmsg, consecutive sequence numbers.
    let sent = st.lock().unwrap().sent[0].clone();
    let seqs: Vec<u32> = requests(&sent).iter().map(|r| seq_of(r)).collect();
    assert_eq!(seqs, vec![1, 2, 3]);
    // Nothing leaks into the next call.
    assert!(st.lock().unwrap().incoming.is_empty());
    s.request(RTM_SETLINK, NlmsgFlags::empty(), &IFINFO[..])
        .unwrap();
}

#[test]
fn batch_is_sent_in_chunks() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(Box::new(|d| {
        let reqs = requests(d);
        let fail = reqs.len() > 1;
        reqs.iter()
            .enumerate()
            .map(|(i, r)| {
                kernel(error_reply(
                    r,
                    if fail && i == 5 { libc::EBUSY } else { 0 },
                    None,
                ))
            })
            .collect()
    }));
    let n = BATCH_MAX_REQUESTS * 3 + 10;
    let r = s.batch(&batch_of(n), BatchMode::Force).unwrap();
    assert_eq!(r.len(), n);
    let failed: Vec<usize> = r
        .iter()
        .filter_map(|r| r.as_ref().err().and_then(|e| e.kernel()?.request_index))
        .collect();
    assert_eq!(
        failed,
        vec![
            5,
            BATCH_MAX_REQUESTS + 5,
            2 * BATCH_MAX_REQUESTS + 5,
            3 * BATCH_MAX_REQUESTS + 5
        ]
    );
    let sent = st.lock().unwrap().sent.clone();
    assert_eq!(sent.len(), 4);
    assert!(sent.iter().all(|d| requests(d).len() <= BATCH_MAX_REQUESTS));

    // StopOnError: nothing after the first failing chunk.
    st.lock().unwrap().sent.clear();
    let r = s.batch(&batch_of(n), BatchMode::StopOnError).unwrap();
    assert_eq!(r.len(), BATCH_MAX_REQUESTS);
    assert_eq!(st.lock().unwrap().sent.len(), 1);
}

#[test]
fn batch_chunks_respect_the_byte_limit() {
    let big = vec![0u8; BATCH_MAX_BYTES / 3];
    let mut b = Batch::new();
    for _ in 0..7 {
        b.push(RTM_NEWLINK, NlmsgFlags::empty(), &big[..]).unwrap();
    }
    assert_eq!(chunk_end(b.items(), 0), 2);
    assert_eq!(chunk_end(b.items(), 6), 7);
    let huge = vec![0u8; BATCH_MAX_BYTES * 2];
    b.push(RTM_NEWLINK, NlmsgFlags::empty(), &huge[..]).unwrap();
    assert_eq!(chunk_end(b.items(), 7), 8);
}

/// A transaction as nfnetlink frames it: a begin and an end without `NLM_F_ACK`, three
/// acknowledged messages between them.
fn transaction() -> Batch {
    let mut b = Batch::new();
    b.push_without_ack(0x10, NlmsgFlags::empty(), &[0u8, 0, 0, 10][..])
        .unwrap();
    for _ in 0..3 {
        b.push(0x0a00, NlmsgFlags::CREATE, &[1u8, 0, 0, 0][..])
            .unwrap();
    }
    b.push_without_ack(0x11, NlmsgFlags::empty(), &[0u8, 0, 0, 10][..])
        .unwrap();
    b
}

/// Answers as nfnetlink does: an acknowledgement for each message with `NLM_F_ACK`, the
/// errno of `fail` (by index) instead for that one, whether it asked for an ack or not.
fn nfnetlink(fail: Option<(usize, i32)>) -> fake::Responder {
    Box::new(move |d| {
        let mut out = Vec::new();
        for (i, r) in requests(d).iter().enumerate() {
            let acked = NlmsgBuffer::new_checked(&r[..])
                .unwrap()
                .flags()
                .contains(NlmsgFlags::ACK);
            match fail {
                Some((at, errno)) if at == i => out.push(kernel(error_reply(r, errno, None))),
                _ if acked => out.push(kernel(error_reply(r, 0, None))),
                _ => {}
            }
        }
        out
    })
}

#[test]
fn batch_whole_sends_one_datagram_with_a_sequence_number_each() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(nfnetlink(None));
    let r = s.batch_whole(&transaction()).unwrap();
    let ok: Vec<Option<bool>> = r.iter().map(|r| r.as_ref().map(Result::is_ok)).collect();
    assert_eq!(ok, vec![None, Some(true), Some(true), Some(true), None]);
    let sent = st.lock().unwrap().sent.clone();
    assert_eq!(sent.len(), 1);
    let reqs = requests(&sent[0]);
    let seqs: Vec<u32> = reqs.iter().map(|r| seq_of(r)).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
    let flags: Vec<NlmsgFlags> = reqs
        .iter()
        .map(|r| NlmsgBuffer::new_checked(&r[..]).unwrap().flags())
        .collect();
    assert_eq!(flags[0], NlmsgFlags::REQUEST);
    assert_eq!(
        flags[1],
        NlmsgFlags::REQUEST | NlmsgFlags::ACK | NlmsgFlags::CREATE
    );
    assert_eq!(flags[4], NlmsgFlags::REQUEST);
    // Nothing was waited for beyond what was queued.
    assert!(st.lock().unwrap().incoming.is_empty());
}

#[test]
fn batch_whole_names_the_refused_message() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(nfnetlink(Some((2, libc::EEXIST))));
    let r = s.batch_whole(&transaction()).unwrap();
    assert!(r[1].as_ref().unwrap().is_ok());
    let k = r[2]
        .as_ref()
        .unwrap()
        .as_ref()
        .unwrap_err()
        .kernel()
        .unwrap();
    assert_eq!(k.errno, libc::EEXIST);
    assert_eq!(k.request_index, Some(2));
    assert_eq!(k.request_seq, 3);
    assert_eq!(k.request_type, 0x0a00);
    assert!(r[3].as_ref().unwrap().is_ok());
    assert!(r[0].is_none() && r[4].is_none());
}

#[test]
fn batch_whole_does_not_wait_for_answers_that_never_come() {
    // The whole batch refused on its begin message: nothing else is answered.
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(Box::new(|d| {
        let reqs = requests(d);
        vec![kernel(error_reply(
            &reqs[0],
            libc::EINVAL,
            Some("bad res_id"),
        ))]
    }));
    let r = s.batch_whole(&transaction()).unwrap();
    let k = r[0]
        .as_ref()
        .unwrap()
        .as_ref()
        .unwrap_err()
        .kernel()
        .unwrap();
    assert_eq!((k.errno, k.request_index), (libc::EINVAL, Some(0)));
    assert!(r[1..].iter().all(Option::is_none), "{r:?}");
    // An error of a message sent without NLM_F_ACK (the end) is reported too, after the
    // acknowledgements of the others.
    st.lock().unwrap().responder = Some(nfnetlink(Some((4, libc::EINVAL))));
    let r = s.batch_whole(&transaction()).unwrap();
    assert!(r[4].as_ref().unwrap().is_err());
    assert!(st.lock().unwrap().incoming.is_empty());
    // An overrun while reading what is queued is the outer error.
    st.lock().unwrap().responder = Some(Box::new(|_| vec![Incoming::Errno(libc::ENOBUFS)]));
    assert!(s.batch_whole(&transaction()).unwrap_err().is_overrun());
}

#[test]
fn batch_reports_failures_of_messages_without_ack() {
    let (mut s, st) = fake::socket();
    st.lock().unwrap().responder = Some(nfnetlink(Some((4, libc::EPERM))));
    let r = s.batch(&transaction(), BatchMode::Force).unwrap();
    assert_eq!(r.len(), 5);
    assert!(r[..4].iter().all(Result::is_ok), "{r:?}");
    assert_eq!(r[4].as_ref().unwrap_err().errno(), Some(libc::EPERM));
    // Silent success of the unacknowledged ones.
    st.lock().unwrap().responder = Some(nfnetlink(None));
    let r = s.batch(&transaction(), BatchMode::Force).unwrap();
    assert!(r.iter().all(Result::is_ok), "{r:?}");
    assert!(st.lock().unwrap().incoming.is_empty());
}

#[test]
fn kernel_errors_name_the_protocol() {
    let (mut s, st) = fake::socket();
    s.protocol = Protocol::Netfilter;
    st.lock().unwrap().responder = Some(ack_all(libc::ENOENT));
    let e = s
        .request(0x0a00, NlmsgFlags::empty(), &[1u8, 0, 0, 0][..])
        .unwrap_err();
    assert_eq!(e.kernel().unwrap().protocol, Protocol::Netfilter);
    assert!(
        e.to_string().starts_with("NFT_MSG_NEWTABLE: No such file"),
        "{e}"
    );
    let e = s
        .request(0x0b00, NlmsgFlags::empty(), &[1u8, 0, 0, 0][..])
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("NETLINK_NETFILTER request type 0x0b00: No such file"),
        "{e}"
    );
}

#[test]
fn batch_whole_map_hands_over_the_echoes() {
    let (mut s, st) = fake::socket();
    // nf_tables echoes the message sent with NLM_F_ECHO at commit, before the acks.
    st.lock().unwrap().responder = Some(Box::new(|d| {
        let reqs = requests(d);
        let mut echo = reqs[2].clone();
        echo[6..8].copy_from_slice(&0u16.to_ne_bytes()); // flags: none
        echo[12..16].copy_from_slice(&PORT.to_ne_bytes()); // to us
        let mut out = vec![kernel(echo)];
        out.extend(reqs[1..4].iter().map(|r| kernel(error_reply(r, 0, None))));
        out
    }));
    let mut seen = Vec::new();
    let r = s
        .batch_whole_map(&transaction(), |i, m| {
            seen.push((i, m.message_type(), m.payload().to_vec()));
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, vec![(2, 0x0a00, vec![1, 0, 0, 0])]);
    assert!(r[1..4].iter().all(|r| matches!(r, Some(Ok(())))), "{r:?}");
    // An error of the callback stops the reading and is returned.
    let e = s
        .batch_whole_map(&transaction(), |_, _| {
            Err(Error::invalid("echo", "refused"))
        })
        .unwrap_err();
    assert!(e.is_invalid(), "{e:?}");
}
