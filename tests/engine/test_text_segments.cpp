// Sentence splitting and token -> word grouping (terse/text_units.h, issue 3).
#include "terse/text_units.h"
#include "terse/resources.h"
#include "terse/tokenizer.h"

#include <QtTest>

using namespace terse;

namespace {

QStringList pieces(const std::string &text, const std::vector<Span> &spans)
{
    QStringList out;
    for (const Span &s : spans)
        out << QString::fromStdString(text.substr(s.begin, s.end - s.begin));
    return out;
}

QString sharedDir()
{
    return QStringLiteral(TERSE_SHARED_DIR);
}

// The texts of the non-empty groups; {"not a tiling"} unless the groups cover the `tokens` tokens
// in order.
QStringList groupTexts(const std::vector<WordGroup> &groups, const std::string &t,
                       std::size_t tokens)
{
    QStringList got;
    std::size_t next = 0;
    for (const WordGroup &g : groups) {
        if (g.firstToken != next)
            return {QStringLiteral("not a tiling")};
        next = g.endToken;
        if (g.span.size() > 0)
            got << QString::fromStdString(t.substr(g.span.begin, g.span.size()));
    }
    return next == tokens ? got : QStringList{QStringLiteral("not a tiling")};
}

} // namespace

class TestTextSegments : public QObject {
    Q_OBJECT
private slots:
    void sentences_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("simple") << "Hello there. How are you? Fine!"
                                << QStringList{"Hello there. ", "How are you? ", "Fine!"};
        QTest::newRow("titles") << "Mr. Smith met Dr. Jones. They talked."
                                << QStringList{"Mr. Smith met Dr. Jones. ", "They talked."};
        QTest::newRow("e.g. and i.e.")
            << "Use a tool, e.g. A hammer. Or not, i.e. Nothing."
            << QStringList{"Use a tool, e.g. A hammer. ", "Or not, i.e. Nothing."};
        QTest::newRow("U.S. and initials")
            << "He moved to the U.S. in 1990. J. K. Rowling wrote it."
            << QStringList{"He moved to the U.S. in 1990. ", "J. K. Rowling wrote it."};
        QTest::newRow("decade") << "It grew in the 1990s. Then it fell. Size 5s. Next."
                                << QStringList{"It grew in the 1990s. ", "Then it fell. ",
                                               "Size 5s. ", "Next."};
        QTest::newRow("decimals") << "Pi is 3.14 roughly. E is 2.71."
                                  << QStringList{"Pi is 3.14 roughly. ", "E is 2.71."};
        QTest::newRow("ellipsis") << "Wait... what? Well... The end."
                                  << QStringList{"Wait... what? ", "Well... ", "The end."};
        QTest::newRow("quote after period") << "She said \"Stop.\" Then she left."
                                            << QStringList{"She said \"Stop.\" ", "Then she left."};
        QTest::newRow("lowercase continues")
            << "It costs 5 p.m. sharp. no split here."
            << QStringList{"It costs 5 p.m. sharp. no split here."};
        QTest::newRow("newlines") << "Title\nFirst line. Second\n\nThird"
                                  << QStringList{"Title\n", "First line. ", "Second\n\n", "Third"};
        QTest::newRow("leading space") << "  Hi. Yo." << QStringList{"  Hi. ", "Yo."};
        QTest::newRow("cjk") << "\u4f60\u597d\u3002\u518d\u89c1\uff01"
                             << QStringList{"\u4f60\u597d\u3002", "\u518d\u89c1\uff01"};
        QTest::newRow("trailing space") << "One. Two.  " << QStringList{"One. ", "Two.  "};
        QTest::newRow("empty") << "" << QStringList{};
    }
    void sentences()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, expected);
        const std::string t = text.toStdString();
        const auto spans = splitSentences(t);
        QCOMPARE(pieces(t, spans), expected);
        QCOMPARE(pieces(t, spans).join(QString()), text);
    }

    void words_data()
    {
        QTest::addColumn<QString>("tokenizer");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("words");
        const QString m = sharedDir() + "/models/tokenizers/";
        QTest::newRow("wordpiece ##") << m + "all-MiniLM-L6-v2"
                                      << "Tokenization isn't hard."
                                      << QStringList{"Tokenization", "isn", "'", "t", "hard", "."};
        QTest::newRow("byte-level")
            << sharedDir() + "/tokvec/gpt2.tokenizer.json"
            << "Tokenization isn't hard." << QStringList{"Tokenization", "isn't", "hard."};
        QTest::newRow("byte-level newline")
            << sharedDir() + "/tokvec/gpt2.tokenizer.json"
            << "Hi\n\nthere \xF0\x9F\x98\x80" << QStringList{"Hi", "there", "\xF0\x9F\x98\x80"};
        QTest::newRow("tiktoken") << m + "tiktoken/cl100k_base.tiktoken"
                                  << "unbelievable results"
                                  << QStringList{"unbelievable", "results"};
        QTest::newRow("sentencepiece")
            << sharedDir() + "/models/stories260K/tok512.bin"
            << "Lily ran quickly home" << QStringList{"Lily", "ran", "quickly", "home"};
    }
    void words()
    {
        QFETCH(QString, tokenizer);
        QFETCH(QString, text);
        QFETCH(QStringList, words);
        if (!QFile::exists(sharedDir() + "/tokvec/cases.json"))
            QSKIP("shared data (TERSE_SHARED_DIR) is absent");
        auto tok = Tokenizer::load(tokenizer.toStdString());
        QVERIFY(tok.ok());
        const std::string t = text.toStdString();
        auto enc = tok->encode(t, true);
        QVERIFY(enc.ok());
        QCOMPARE(groupTexts(groupWords(*enc, t), t, enc->size()), words);
    }

    // Words of scripts without spaces are dictionary words, wherever a token begins one; groups of
    // other text are groupWords' (bundled tokenizers: byte-level BPE with several tokens per
    // ideograph, and cl100k).
    void dictionaryWords_data()
    {
        QTest::addColumn<QString>("tokenizer");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("words");
        const QString r = QString::fromStdString(resourcesDir());
        QTest::newRow("byte-level, chinese")
            << r + "/models/terse-lm"
            << "我们今天去北京大学" << QStringList{"我们", "今天", "去", "北京", "大学"};
        QTest::newRow("byte-level, english")
            << r + "/models/terse-lm"
            << "Tokenization isn't hard." << QStringList{"Tokenization", "isn't", "hard."};
        QTest::newRow("tiktoken, mixed")
            << r + "/tokenizers/cl100k_base.tiktoken"
            << "使用GPT-3模型。日本の首都"
            << QStringList{"使用", "GPT-3", "模型", "。", "日本", "の", "首都"};
    }
    void dictionaryWords()
    {
        QFETCH(QString, tokenizer);
        QFETCH(QString, text);
        QFETCH(QStringList, words);
        auto tok = Tokenizer::load(tokenizer.toStdString());
        QVERIFY2(tok.ok(), tok.ok() ? "" : tok.error().detail.c_str());
        const std::string t = text.toStdString();
        auto enc = tok->encode(t, false);
        QVERIFY(enc.ok());
        QCOMPARE(groupTexts(groupDictionaryWords(*enc, t), t, enc->size()), words);
    }
};

QTEST_GUILESS_MAIN(TestTextSegments)
#include "test_text_segments.moc"
