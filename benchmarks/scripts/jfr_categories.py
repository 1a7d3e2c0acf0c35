#!/usr/bin/env python3
"""Groups the CPU samples of a JFR recording (jdk.ExecutionSample) by what the stack is doing.

Usage: python3 benchmarks/scripts/jfr_categories.py relay.jfr   (needs the JDK's `jfr` tool on PATH)
"""
import collections
import json
import subprocess
import sys

d = json.loads(subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample", sys.argv[1]], capture_output=True, text=True).stdout)
cats = collections.Counter(); n = 0
rules = [
 ("TLS handshake (ECDHE/ECDSA, new connections)", ["intpoly", "BigInteger", "ECOperations", "ECDSA", "XDH", "MutableBigInteger", "sun/security/ec", "SignatureUtil"]),
 ("TLS record crypto (AES-GCM/GHASH)", ["GHASH", "GaloisCounterMode", "AESCrypt", "GCTR", "VarHandleByteArrayAs"]),
 ("TLS framing (SslHandler/SSLEngine)", ["sun/security/ssl", "SslHandler"]),
 ("RocksDB", ["rocksdb"]),
 ("protobuf", ["protobuf"]),
 ("socket I/O and epoll", ["epoll", "Epoll", "sun/nio/ch", "Native"]),
 ("Netty pipeline/buffers", ["io/netty"]),
 ("relay and store code", ["dev/backchannel/netty/relay", "dev/backchannel/netty/store"]),
 ("client link", ["dev/backchannel/netty/client"]),
 ("load generator", ["dev/backchannel/benchmarks"]),
]
for e in d["recording"]["events"]:
    st = e["values"]["stackTrace"]
    if not st: continue
    frames = [f["method"]["type"]["name"] + "." + f["method"]["name"] for f in st["frames"]]
    n += 1
    hit = "other (JDK collections, threads, GC barriers)"
    for fr in frames:
        done = False
        for cat, keys in rules:
            if any(k in fr for k in keys):
                hit = cat; done = True; break
        if done: break
    cats[hit] += 1
print("samples", n)
for k, v in cats.most_common(): print(f"{v*100.0/n:5.1f}%  {k}")
