// Word units, UTF-8 validation and prompt validation (engine/src/core/text_units.cpp).
#include "terse/text_units.h"
#include "core/utf8.h"
#include "core/word_joins.h"

#include <QtTest>

#include <random>

using namespace terse;

namespace {
using Splitter = std::vector<Span> (*)(std::string_view);

QStringList unitsOf(const std::string &text, Splitter split = &splitWords)
{
    QStringList out;
    for (const Span &s : split(text))
        out << QString::fromStdString(text.substr(s.begin, s.size()));
    return out;
}

// Random texts from `pieces`: the units tile the text, in order, and never split a UTF-8 character.
void checkTiling(Splitter split, const std::vector<std::string> &pieces, unsigned seed)
{
    std::mt19937 rng(seed);
    for (int round = 0; round < 500; ++round) {
        std::string text;
        const int n = static_cast<int>(rng() % 40);
        for (int i = 0; i < n; ++i)
            text += pieces[rng() % pieces.size()];
        std::string joined;
        std::size_t expect = 0;
        for (const Span &s : split(text)) {
            QCOMPARE(s.begin, expect); // contiguous
            QVERIFY(s.end > s.begin);
            // Spans start and end on character boundaries (no UTF-8 continuation byte at either
            // edge).
            QVERIFY((static_cast<unsigned char>(text[s.begin]) & 0xC0) != 0x80);
            QVERIFY(s.end == text.size() ||
                    (static_cast<unsigned char>(text[s.end]) & 0xC0) != 0x80);
            joined += text.substr(s.begin, s.size());
            expect = s.end;
        }
        QCOMPARE(joined, text);
    }
}
} // namespace

class TestTextUnits : public QObject {
    Q_OBJECT
private slots:
    void splitWords_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("units");
        QTest::newRow("plain") << "Hello world" << QStringList{"Hello ", "world"};
        QTest::newRow("punctuation") << "Hello, world!" << QStringList{"Hello", ", ", "world", "!"};
        QTest::newRow("leading space") << "  lead" << QStringList{"  lead"};
        QTest::newRow("contraction") << "don't stop" << QStringList{"don't ", "stop"};
        QTest::newRow("hyphen") << "state-of-the-art model"
                                << QStringList{"state-of-the-art ", "model"};
        QTest::newRow("decimal") << "pi is 3.14." << QStringList{"pi ", "is ", "3.14", "."};
        QTest::newRow("thousands") << "1,000 items" << QStringList{"1,000 ", "items"};
        QTest::newRow("comma list") << "a,b" << QStringList{"a", ",", "b"};
        QTest::newRow("accented") << "café crème" << QStringList{"café ", "crème"};
        // Chinese and Thai put no spaces between words: the dictionary's words (hand-checked:
        // we / today / go / Beijing / university; hello / (polite) / I / name / Somchai).
        QTest::newRow("chinese words")
            << "我们今天去北京大学" << QStringList{"我们", "今天", "去", "北京", "大学"};
        QTest::newRow("thai words")
            << "สวัสดีครับ ผมชื่อสมชาย" << QStringList{"สวัสดี", "ครับ ", "ผม", "ชื่อ", "สมชาย"};
        QTest::newRow("newlines") << "one\n\ntwo" << QStringList{"one\n\n", "two"};
        QTest::newRow("only space") << "   " << QStringList{"   "};
        QTest::newRow("empty") << "" << QStringList{};
    }

    void splitWords()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, units);
        QCOMPARE(unitsOf(text.toStdString()), units);
    }

    // Issue 14: the atomic words of corrected mode.
    void splitAtomicWords_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("units");
        QTest::newRow("formula") << "14-2=12 bananas" << QStringList{"14-2=12 ", "bananas"};
        QTest::newRow("hyphenated")
            << "a high-quality answer." << QStringList{"a ", "high-quality ", "answer", "."};
        QTest::newRow("percent and money")
            << "($1,200, 3.5%)" << QStringList{"(", "$1,200", ", ", "3.5%", ")"};
        QTest::newRow("date and version")
            << "2023-11-05 v1.13.1!" << QStringList{"2023-11-05 ", "v1.13.1", "!"};
        QTest::newRow("url") << "see https://x.org/a?b=1. ok"
                             << QStringList{"see ", "https://x.org/a?b=1", ". ", "ok"};
        QTest::newRow("email") << "mail a.b@c.com," << QStringList{"mail ", "a.b@c.com", ","};
        QTest::newRow("call") << "print(total_count);"
                              << QStringList{"print", "(", "total_count", ")", ";"};
        QTest::newRow("comma") << "cheese, particularly"
                               << QStringList{"cheese", ", ", "particularly"};
        QTest::newRow("markdown") << "**Bold**:" << QStringList{"*", "*", "Bold", "*", "*", ":"};
        QTest::newRow("quotes") << "\"quoted\" text" << QStringList{"\"", "quoted", "\" ", "text"};
        QTest::newRow("negative") << "is -5 now" << QStringList{"is ", "-5 ", "now"};
        QTest::newRow("cjk") << "中文abc" << QStringList{"中文", "abc"};
        // Japanese: kanji, hiragana particle, a term with its hyphen, a katakana loanword.
        QTest::newRow("japanese") << "日本のGPT-4モデル。"
                                  << QStringList{"日本", "の", "GPT-4", "モデル", "。"};
        QTest::newRow("chinese in brackets")
            << "（北京大学）" << QStringList{"（", "北京", "大学", "）"};
        // A backtick run is one unit (a fence never becomes "` `"); a single backtick is a quote.
        QTest::newRow("fence") << "```python\nx\n```"
                               << QStringList{"```", "python\n", "x\n", "```"};
        QTest::newRow("inline code")
            << "use `x` or ``y``" << QStringList{"use ", "`", "x", "` ", "or ", "``", "y", "``"};
        QTest::newRow("leading space") << "  lead." << QStringList{"  lead", "."};
        QTest::newRow("only space") << "   " << QStringList{"   "};
        QTest::newRow("empty") << "" << QStringList{};
    }
    void splitAtomicWords()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, units);
        QCOMPARE(unitsOf(text.toStdString(), &terse::splitAtomicWords), units);
    }

    // Two kept words that stood with no whitespace between them: joined directly only when they
    // stay two words (hand-checked against splitAtomicWords' rules).
    void staysApart_data()
    {
        QTest::addColumn<QString>("left");
        QTest::addColumn<QString>("right");
        QTest::addColumn<bool>("apart");
        QTest::newRow("two ideographs") << "作"
                                        << "二" << true;
        QTest::newRow("kana after ideograph") << "車"
                                              << "の" << true;
        QTest::newRow("latin then ideograph") << "GPT-3"
                                              << "大" << true;
        QTest::newRow("two dictionary words") << "北京"
                                              << "大学" << true;
        QTest::newRow("thai words") << "สวัสดี"
                                    << "ครับ" << true;
        QTest::newRow("ideographic comma") << "商"
                                           << "，" << true;
        QTest::newRow("word then comma") << "Heidi"
                                         << "," << true;
        QTest::newRow("word then closing bracket") << "print"
                                                   << ")" << true;
        QTest::newRow("opening bracket then word") << "("
                                                   << "x" << true;
        QTest::newRow("two words") << "Alice"
                                   << "Bob" << false;
        QTest::newRow("digits") << "12"
                                << "34" << false;
        QTest::newRow("percent joins a number") << "5"
                                                << "%" << false;
        QTest::newRow("sign joins a number") << "-"
                                             << "5" << false;
        QTest::newRow("word then hyphenated word") << "well"
                                                   << "-known" << false;
        QTest::newRow("backtick runs merge") << "`"
                                             << "``" << false;
        QTest::newRow("several words on the left") << "a b"
                                                   << "," << true;
    }

    void staysApart()
    {
        QFETCH(QString, left);
        QFETCH(QString, right);
        QFETCH(bool, apart);
        QCOMPARE(terse::detail::staysApart(left.toStdString(), right.toStdString()), apart);
    }

    // The word edges of text without spaces: where a dictionary word begins or ends (never inside
    // a word or a code point), nowhere in text with spaces (an empty vector).
    void dictionaryWordEdges()
    {
        auto edgesAt = [](const std::string &text) {
            QList<int> at;
            const std::vector<char> e = terse::detail::dictionaryWordEdges(text);
            if (!e.empty() && e.size() != text.size() + 1) // empty: no such script in the text
                return QList<int>{-1};
            for (std::size_t i = 0; i < e.size(); ++i)
                if (e[i])
                    at << static_cast<int>(i);
            return at;
        };
        QCOMPARE(edgesAt("我们今天"), (QList<int>{0, 6, 12})); // 我们 + 今天, 3 bytes each
        QCOMPARE(edgesAt("使用GPT"), (QList<int>{0, 6}));      // 使用, then Latin at byte 6
        QCOMPARE(edgesAt("GPTの"), (QList<int>{3, 6}));        // の from byte 3 to the end
        QCOMPARE(edgesAt("日本 and"), (QList<int>{0, 6}));     // the word ends before a space
        QCOMPARE(edgesAt("สวัสดีครับ"), (QList<int>{0, 18, 30})); // 6 + 4 Thai characters
        QCOMPARE(edgesAt("ab cd"), QList<int>{});
        QCOMPARE(edgesAt(""), QList<int>{});
    }

    // Invalid sequences become U+FFFD as Python's bytes.decode("utf-8", "replace") has them (the
    // expected strings are its output): one per maximal subpart.
    void toValidUtf8_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        const QString r(QChar(0xFFFD));
        QTest::newRow("cut character") << QByteArray("\xe6\x9d") << r;
        QTest::newRow("stray continuation") << QByteArray("a\x80"
                                                          "b")
                                            << "a" + r + "b";
        QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << r + r + r;
        QTest::newRow("cut emoji") << QByteArray("\xf0\x9f\x98") << r;
        QTest::newRow("overlong") << QByteArray("\xc0\xaf") << r + r;
        QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << r + r + r + r;
        QTest::newRow("cut, then ASCII") << QByteArray("\xe6\x9d"
                                                       "A")
                                         << r + "A";
        QTest::newRow("overlong three bytes") << QByteArray("\xe0\x80\xaf") << r + r + r;
        QTest::newRow("invalid leads") << QByteArray("\xff\xfe") << r + r;
        QTest::newRow("tail of a character")
            << QByteArray("\x9d\xb1\xe4\xba\xac") << r + r + QString::fromUtf8("京");
        QTest::newRow("valid") << QByteArray("naïve 東京 😀") << QString::fromUtf8("naïve 東京 😀");
    }
    void toValidUtf8()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const std::string out = terse::detail::toValidUtf8(bytes.toStdString());
        QVERIFY(isValidUtf8(out));
        QCOMPARE(QString::fromStdString(out), expected);
    }

    void atomicWordsReassembleAnyInput()
    {
        checkTiling(&terse::splitAtomicWords,
                    {"a",        "Z",        " ",  "\n", ",",    ".",  "'",   "-", "é",
                     "€",        "😀",        "中", "(",  ")",    "\"", "$",   "%", "1",
                     "\xC2\xA0", "https://", "=",  "_",  "北京", "の", "ครับ", "ี"},
                    11);
    }

    void unitsReassembleAnyInputAndNeverSplitACharacter()
    {
        checkTiling(&terse::splitWords,
                    {"a", "Z", " ", "\n", ",", ".", "'", "-", "é", "€", "😀", "中", "\t", "1",
                     "\xC2\xA0", "大学", "ครับ", "ี"},
                    7);
    }

    void utf8Validation_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<int>("badOffset");
        QTest::newRow("ascii") << QByteArray("abc") << true << -1;
        QTest::newRow("two-byte") << QByteArray("caf\xc3\xa9") << true << -1;
        QTest::newRow("four-byte") << QByteArray("\xf0\x9f\x98\x80") << true << -1;
        QTest::newRow("latin1") << QByteArray("caf\xe9!") << false << 3;
        QTest::newRow("overlong") << QByteArray("a\xc0\xafz") << false << 1;
        QTest::newRow("surrogate") << QByteArray("ab\xed\xa0\x80") << false << 2;
        QTest::newRow("beyond U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << false << 0;
        QTest::newRow("truncated") << QByteArray("ok\xe2\x82") << false << 2;
        QTest::newRow("lone continuation") << QByteArray("x\x80") << false << 1;
    }

    void utf8Validation()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, valid);
        QFETCH(int, badOffset);
        std::size_t bad = 999;
        QCOMPARE(isValidUtf8(std::string_view(bytes.constData(), bytes.size()), &bad), valid);
        if (!valid)
            QCOMPARE(static_cast<int>(bad), badOffset);
    }

    void promptValidationNamesTheProblem()
    {
        QVERIFY(validatePromptText("fine").ok());
        auto empty = validatePromptText(" \n\t ");
        QVERIFY(!empty.ok());
        QCOMPARE(QString::fromStdString(empty.error().detail),
                 QStringLiteral("the prompt is empty"));
        auto binary = validatePromptText(std::string("ab\0cd", 5));
        QVERIFY(QString::fromStdString(binary.error().detail)
                    .contains(QStringLiteral("NUL byte at offset 2")));
        auto latin = validatePromptText("caf\xe9");
        QVERIFY(QString::fromStdString(latin.error().detail)
                    .contains(QStringLiteral("not valid UTF-8")));
        auto big = validatePromptText(std::string(100, 'x'), 50);
        QCOMPARE(big.error().code, ErrorCode::InvalidInput);
        QVERIFY(QString::fromStdString(big.error().detail).contains(QStringLiteral("100 bytes")));
    }
};

QTEST_GUILESS_MAIN(TestTextUnits)
#include "test_text_units.moc"
