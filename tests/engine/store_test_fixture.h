#pragma once
// The base of the session store test classes: fresh databases in one temporary folder per test
// class.

#include "store_test_util.h"

#include <QObject>
#include <QTemporaryDir>
#include <QtTest>

namespace terse::testutil {

class StoreTestBase : public QObject {
protected:
    QTemporaryDir m_dir;
    int m_counter = 0;

    QString freshPath() { return m_dir.filePath(QStringLiteral("db%1.sqlite3").arg(++m_counter)); }

    SessionStore openFresh()
    {
        auto s = SessionStore::open(freshPath().toStdString());
        if (!s)
            qFatal("open failed: %s", s.error().toString().c_str());
        return std::move(s).value();
    }
};

} // namespace terse::testutil
