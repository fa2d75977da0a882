// Tokenizer formats beyond the shared vectors (llama2.c, SentencePiece .model, Unigram and
// Llama-style BPE tokenizer.json) and hostile input: invalid UTF-8, long runs, nested JSON,
// truncated files, missing merges, unknown model types (issue 3).
#include "terse/tokenizer.h"

#include <QtTest>

#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <cstring>

using namespace terse;

namespace {

QString sharedDir()
{
    return QStringLiteral(TERSE_SHARED_DIR);
}
bool haveShared()
{
    return QFile::exists(sharedDir() + "/tokvec/cases.json");
}

std::string writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &data)
{
    QFile f(dir.filePath(name));
    f.open(QIODevice::WriteOnly);
    f.write(data);
    return dir.filePath(name).toStdString();
}

// Protobuf writers for a hand-built SentencePiece ModelProto.
void varint(QByteArray &out, quint64 v)
{
    do {
        out.append(char((v & 0x7F) | (v > 0x7F ? 0x80 : 0)));
        v >>= 7;
    } while (v);
}
void field(QByteArray &out, int number, const QByteArray &bytes)
{
    varint(out, quint64(number) << 3 | 2);
    varint(out, bytes.size());
    out.append(bytes);
}
void fieldVarint(QByteArray &out, int number, quint64 v)
{
    varint(out, quint64(number) << 3);
    varint(out, v);
}

const char kUnigramJson[] = R"({
  "normalizer": null,
  "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": true},
  "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": true},
  "added_tokens": [{"id": 0, "content": "<unk>", "special": true, "lstrip": false, "rstrip": false,
                    "normalized": false, "single_word": false}],
  "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": false,
            "vocab": [["<unk>", 0], ["\u2581", -2], ["\u2581a", -1], ["b", -2], ["ab", -1.5], ["\u2581ab", -1.2],
                      ["c", -3]]}
})";

const char kLlamaJson[] = R"({
  "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                 {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
  "pre_tokenizer": null,
  "post_processor": {"type": "TemplateProcessing",
                     "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                     "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
  "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
              {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
  "added_tokens": [{"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true},
                   {"id": 2, "content": "</s>", "special": true}],
  "model": {"type": "BPE", "unk_token": "<unk>", "fuse_unk": true, "byte_fallback": true,
            "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "\u2581": 3, "h": 4, "i": 5, "hi": 6, "\u2581hi": 7,
                      "<0xC3>": 8, "<0xA9>": 9},
            "merges": ["h i", "\u2581 hi"]}
})";

} // namespace

class TestTokenizerFormats : public QObject {
    Q_OBJECT
private slots:
    void llama2cStories()
    {
        if (!haveShared())
            QSKIP("shared data (TERSE_SHARED_DIR) is absent");
        auto tok = Tokenizer::load((sharedDir() + "/models/stories260K/tok512.bin").toStdString());
        QVERIFY2(tok.ok(), tok.ok() ? "" : tok.error().toString().c_str());
        QCOMPARE(QString::fromStdString(tok->kind()), QStringLiteral("llama2c"));
        QCOMPARE(tok->vocabSize(), std::size_t(512));
        QCOMPARE(tok->specialIds().bos, 1);
        QCOMPARE(tok->specialIds().eos, 2);
        const std::string text = "Once upon a time, there was a little girl named Lily.";
        auto plain = tok->encode(text);
        auto bos = tok->encode(text, true);
        QVERIFY(plain.ok() && bos.ok());
        QCOMPARE(bos->ids.front(), 1);
        QCOMPARE(std::vector<std::int32_t>(bos->ids.begin() + 1, bos->ids.end()), plain->ids);
        // A 512-piece vocabulary merges common words whole; every token is a real piece, no byte
        // fallback.
        QVERIFY(plain->size() < 30);
        QCOMPARE(QString::fromStdString(plain->tokens[0]), QStringLiteral(" Once"));
        for (auto id : plain->ids)
            QVERIFY(id > 258);
        QCOMPARE(QString::fromStdString(*tok->decode(bos->ids)),
                 QStringLiteral("<s>") + QString::fromStdString(text));
        QCOMPARE(*tok->decode(bos->ids, true), text);
        QCOMPARE(*tok->decode(plain->ids), text);
        // Non-ASCII without a piece falls back to bytes 3..258; spans keep whole characters.
        auto emoji = tok->encode("hi \xF0\x9F\x98\x80");
        QVERIFY(emoji.ok());
        QCOMPARE(std::vector<std::int32_t>(emoji->ids.end() - 4, emoji->ids.end()),
                 (std::vector<std::int32_t>{0xF0 + 3, 0x9F + 3, 0x98 + 3, 0x80 + 3}));
        QCOMPARE(emoji->spans[emoji->size() - 4], (Span{3, 7}));
        QCOMPARE(emoji->spans.back(), (Span{7, 7}));
        QCOMPARE(*tok->decode(emoji->ids), std::string("hi \xF0\x9F\x98\x80"));
        QCOMPARE(tok->encode("")->size(), std::size_t(0));
    }

    // A SentencePiece BPE .model built from tok512.bin's pieces must tokenize like llama2.c.
    void sentencePieceModelMatchesLlama2c()
    {
        if (!haveShared())
            QSKIP("shared data (TERSE_SHARED_DIR) is absent");
        QFile f(sharedDir() + "/models/stories260K/tok512.bin");
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bin = f.readAll();
        QByteArray model;
        int pos = 4;
        for (int id = 0; pos < bin.size(); ++id) {
            float score;
            qint32 len;
            std::memcpy(&score, bin.constData() + pos, 4);
            std::memcpy(&len, bin.constData() + pos + 4, 4);
            QByteArray piece = bin.mid(pos + 8, len);
            pos += 8 + len;
            const int type = id == 0 ? 2 : id < 3 ? 3 : id < 259 ? 6 : 1;
            if (id == 1)
                piece = "<s>";
            if (id == 2)
                piece = "</s>";
            if (type == 1)
                piece.replace(" ", "\xE2\x96\x81");
            QByteArray sp;
            field(sp, 1, piece);
            varint(sp, 2 << 3 | 5);
            sp.append(reinterpret_cast<const char *>(&score), 4);
            fieldVarint(sp, 3, type);
            field(model, 1, sp);
        }
        QByteArray trainer, norm;
        fieldVarint(trainer, 3, 2);  // BPE
        fieldVarint(trainer, 35, 1); // byte_fallback
        field(model, 2, trainer);
        fieldVarint(norm, 3, 1); // add_dummy_prefix
        fieldVarint(norm, 4, 0); // keep whitespace as is, like llama2.c
        field(model, 3, norm);
        QTemporaryDir dir;
        auto sp = Tokenizer::load(writeFile(dir, "tok.model", model));
        QVERIFY2(sp.ok(), sp.ok() ? "" : sp.error().toString().c_str());
        QCOMPARE(QString::fromStdString(sp->kind()), QStringLiteral("bpe-sentencepiece"));
        auto ll = Tokenizer::load((sharedDir() + "/models/stories260K/tok512.bin").toStdString());
        for (const char *text : {"Once upon a time, there was a little girl named Lily.",
                                 "  two  spaces", "caf\xC3\xA9!"}) {
            auto a = sp->encode(text, true), b = ll->encode(text, true);
            QVERIFY(a.ok() && b.ok());
            QCOMPARE(a->ids, b->ids);
            QCOMPARE(*sp->decode(a->ids, true), std::string(text));
        }
        // Truncated protobuf: a clear error naming the file.
        auto bad = Tokenizer::load(writeFile(dir, "cut.model", model.left(model.size() / 2 + 3)));
        QVERIFY(!bad.ok());
        QVERIFY(QString::fromStdString(bad.error().detail).contains("cut.model"));
    }

    void unigramViterbi_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QList<int>>("ids");
        QTest::addColumn<QString>("decoded");
        QTest::newRow("best path") << "ab c" << QList<int>{5, 1, 6} << "ab c";
        QTest::newRow("pieces") << "ab ab" << QList<int>{5, 5} << "ab ab";
        QTest::newRow("unknown char") << "x" << QList<int>{1, 0} << "<unk>";
        QTest::newRow("empty") << "" << QList<int>{} << "";
    }
    void unigramViterbi()
    {
        QFETCH(QString, text);
        QFETCH(QList<int>, ids);
        QFETCH(QString, decoded);
        QTemporaryDir dir;
        auto tok = Tokenizer::load(writeFile(dir, "tokenizer.json", kUnigramJson));
        QVERIFY2(tok.ok(), tok.ok() ? "" : tok.error().toString().c_str());
        QCOMPARE(QString::fromStdString(tok->kind()), QStringLiteral("unigram"));
        auto enc = tok->encode(text.toStdString());
        QVERIFY(enc.ok());
        QCOMPARE(QList<int>(enc->ids.begin(), enc->ids.end()), ids);
        QCOMPARE(QString::fromStdString(*tok->decode(enc->ids)).trimmed(), decoded);
    }

    void llamaStyleBpe()
    {
        QTemporaryDir dir;
        auto tok = Tokenizer::load(writeFile(dir, "tokenizer.json", kLlamaJson));
        QVERIFY2(tok.ok(), tok.ok() ? "" : tok.error().toString().c_str());
        QCOMPARE(QString::fromStdString(tok->kind()), QStringLiteral("bpe-sentencepiece"));
        auto enc = tok->encode("hi \xC3\xA9", true);
        QVERIFY(enc.ok());
        QCOMPARE(enc->ids, (std::vector<std::int32_t>{1, 7, 3, 8, 9}));
        QCOMPARE(enc->spans, (std::vector<Span>{{0, 0}, {0, 2}, {2, 3}, {3, 5}, {5, 5}}));
        QCOMPARE(*tok->decode(enc->ids, true), std::string("hi \xC3\xA9"));
        QCOMPARE(tok->specialIds().bos, 1);
        QVERIFY(tok->isSpecial(1));
    }

    void tiktokenSpecialModes()
    {
        if (!haveShared())
            QSKIP("shared data (TERSE_SHARED_DIR) is absent");
        auto tok = Tokenizer::fromTiktoken(
            "cl100k_base", (sharedDir() + "/models/tokenizers/tiktoken").toStdString());
        QVERIFY2(tok.ok(), tok.ok() ? "" : tok.error().toString().c_str());
        EncodeOptions allow;
        allow.specialText = SpecialText::Allow;
        QCOMPARE(*tok->encodeIds("<|endoftext|>", allow), (std::vector<std::int32_t>{100257}));
        QVERIFY(tok->encodeIds("<|endoftext|>")->size() > 1); // ordinary text by default
        QCOMPARE(*tok->countTokens("hello world"), std::size_t(2));
        QCOMPARE(tok->tokenToId("<|endofprompt|>"), 100276);
        QVERIFY(!Tokenizer::fromTiktoken("nope_base", "/nonexistent").ok());
    }

    void hostileInput()
    {
        if (!haveShared())
            QSKIP("shared data (TERSE_SHARED_DIR) is absent");
        auto gpt2 = Tokenizer::load((sharedDir() + "/tokvec/gpt2.tokenizer.json").toStdString());
        auto bert =
            Tokenizer::load((sharedDir() + "/models/tokenizers/all-MiniLM-L6-v2").toStdString());
        QVERIFY(gpt2.ok() && bert.ok());
        // Random bytes: invalid UTF-8 is a clear error naming the offset, never a crash.
        QRandomGenerator rng(3);
        for (int round = 0; round < 50; ++round) {
            std::string bytes(200, '\0');
            for (char &c : bytes)
                c = static_cast<char>(rng.bounded(256));
            for (const Tokenizer *t : {&*gpt2, &*bert}) {
                auto e = t->encode(bytes);
                if (!e.ok()) {
                    QCOMPARE(e.error().code, ErrorCode::InvalidInput);
                    QVERIFY(QString::fromStdString(e.error().detail).contains("offset"));
                }
            }
        }
        // Random valid code points: spans tile the input.
        std::string mixed;
        for (int i = 0; i < 5000; ++i) {
            const char32_t cp =
                rng.bounded(2) ? char32_t(rng.bounded(0x80)) : char32_t(0xA0 + rng.bounded(0xD000));
            mixed += QString::fromUcs4(&cp, 1).toStdString();
        }
        for (const Tokenizer *t : {&*gpt2, &*bert}) {
            auto e = t->encode(mixed);
            QVERIFY(e.ok());
            std::string tiled;
            for (const Span &s : tileSpans(*e, mixed.size()))
                tiled += mixed.substr(s.begin, s.end - s.begin);
            QCOMPARE(tiled, mixed);
        }
        // 10 MB of one character: one 10 MB pre-token; merging must stay O(n log n).
        const std::string run(10u << 20, 'a');
        QElapsedTimer timer;
        timer.start();
        auto ids = gpt2->encodeIds(run);
        QVERIFY(ids.ok());
        QVERIFY(!ids->empty() && ids->size() < run.size());
        QCOMPARE(*gpt2->decode(*ids), run);
        auto unk = bert->encodeIds(run);
        QCOMPARE(*unk, (std::vector<std::int32_t>{100})); // longer than max_input_chars_per_word
        QVERIFY2(timer.elapsed() < 120000,
                 qPrintable(QString("10 MB took %1 ms").arg(timer.elapsed())));
    }

    void badFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("nested json")
            << QByteArray(100000, '[') + QByteArray(100000, ']') << "tokenizer.json"
            << "nested";
        QTest::newRow("truncated json") << QByteArray(kLlamaJson).left(300) << "tokenizer.json"
                                        << "JSON";
        QByteArray noMerges(kLlamaJson);
        noMerges.replace("\"merges\"", "\"mergez\"");
        QTest::newRow("missing merges") << noMerges << "tokenizer.json"
                                        << "merges";
        QByteArray badMerge(kLlamaJson);
        badMerge.replace("\"h i\"", "\"h q\"");
        QTest::newRow("merge with unknown token") << badMerge << "tokenizer.json"
                                                  << "merge 1";
        QByteArray unknown(kLlamaJson);
        unknown.replace("\"type\": \"BPE\"", "\"type\": \"Quantum\"");
        QTest::newRow("unknown model") << unknown << "tokenizer.json"
                                       << "Quantum";
        QTest::newRow("not json") << QByteArray("\x00\x01garbage", 9) << "tokenizer.json"
                                  << "JSON";
        QTest::newRow("truncated llama2c")
            << QByteArray("\x10\x00\x00\x00\x00\x00\x80\x3f\x05\x00\x00\x00"
                          "ab",
                          14)
            << "tokenizer.bin"
            << "truncated";
        QTest::newRow("tiny tiktoken") << QByteArray("IQ== 0\nIg== 1\n") << "x.tiktoken"
                                       << "ranks";
        QTest::newRow("bad tiktoken line") << QByteArray("IQ==\n") << "x.tiktoken"
                                           << "line 1";
        QTest::newRow("not a SentencePiece model") << QByteArray("\xff\xff\xff", 3) << "m.model"
                                                   << "m.model";
    }
    void badFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, name);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        const std::string path = writeFile(dir, name, content);
        auto tok = Tokenizer::load(path);
        QVERIFY(!tok.ok());
        const QString detail = QString::fromStdString(tok.error().detail);
        QVERIFY2(detail.contains(name), qPrintable(detail));
        QVERIFY2(detail.contains(mentions), qPrintable(detail));
        QVERIFY(!Tokenizer::load(dir.filePath("missing.json").toStdString()).ok());
    }
};

QTEST_GUILESS_MAIN(TestTokenizerFormats)
#include "test_tokenizer_formats.moc"
