"""Mongo side of scripts/bench.sh: sysbench-shaped documents, target reset, row checks, and
the peer runs: a single-threaded pymongo copy (readinsert) and a batched insertMany of the
same documents, already in memory, into the target (insertmany)."""
import random
import sys
import time

import pymongo
from bson.raw_bson import RawBSONDocument

SRC = "mongodb://127.0.0.1:27017"
DST = "mongodb://127.0.0.1:27018"
DB = "bench_db"


def docs(table, rows):
    rnd = random.Random(table)
    for i in range(1, rows + 1):
        yield {"_id": i, "k": rnd.randint(1, rows),
               "c": "-".join("%011d" % rnd.randint(0, 10**11 - 1) for _ in range(10)),
               "pad": "-".join("%011d" % rnd.randint(0, 10**11 - 1) for _ in range(5))}


def batches(it, n):
    batch = []
    for d in it:
        batch.append(d)
        if len(batch) == n:
            yield batch
            batch = []
    if batch:
        yield batch


def prepare(tables, rows):
    db = pymongo.MongoClient(SRC)[DB]
    db.client.drop_database(DB)
    for t in range(1, tables + 1):
        coll = db["sbtest%d" % t]
        for b in batches(docs(t, rows), 10000):
            coll.insert_many(b, ordered=False)
        coll.create_index("k")


def reset(tables, rows):
    client = pymongo.MongoClient(DST)
    client.drop_database(DB)


def check(tables, rows):
    db = pymongo.MongoClient(DST)[DB]
    for t in range(1, tables + 1):
        n = db["sbtest%d" % t].count_documents({})
        if n != rows:
            sys.exit("sbtest%d has %d documents, expected %d" % (t, n, rows))


def insertmany(tables, rows):
    reset(tables, rows)
    src = pymongo.MongoClient(SRC)[DB]
    dst = pymongo.MongoClient(DST)[DB]
    loaded = {t: list(src["sbtest%d" % t].find({})) for t in range(1, tables + 1)}
    start = time.time()
    for t, all_docs in loaded.items():
        coll = dst["sbtest%d" % t]
        for b in batches(all_docs, 10000):
            coll.insert_many(b, ordered=False)
    # The source's secondary index, built once the documents are in, as dt does.
    for t in loaded:
        dst["sbtest%d" % t].create_index("k")
    print("%.2f" % (time.time() - start))


def readinsert(tables, rows):
    """A single-threaded pymongo copy: one thread reads each collection's raw documents from
    the source and writes them with insert_many of 10,000 (unordered), then builds the index
    on k."""
    reset(tables, rows)
    src = pymongo.MongoClient(SRC, document_class=RawBSONDocument)[DB]
    dst = pymongo.MongoClient(DST, document_class=RawBSONDocument)[DB]
    start = time.time()
    for t in range(1, tables + 1):
        coll = dst["sbtest%d" % t]
        for b in batches(src["sbtest%d" % t].find({}, batch_size=10000), 10000):
            coll.insert_many(b, ordered=False)
    for t in range(1, tables + 1):
        dst["sbtest%d" % t].create_index("k")
    print("%.2f" % (time.time() - start))


if __name__ == "__main__":
    op, tables, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    globals()[op](tables, rows)
