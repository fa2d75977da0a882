// The trainers' models are the inference Transformer over trainable tensors (train/trainable.h,
// issue 19): its gradients against central finite differences in float64 for a GQA Llama (also
// through several attention blocks) and a padded BERT, the optimizer's in-place updates reaching
// the forward, dropout only while training, and bf16 autocast confined to its scope. The torch side
// is in trainable_probe.cpp (no file includes both Qt and torch).
#include "trainable_probe.h"

#include <QtTest>

using namespace terse::test;

class TestTrainable : public QObject {
    Q_OBJECT
private slots:
    void llamaGradientsMatchFiniteDifferences()
    {
        const double worst = llamaGradientError();
        qInfo("llama: worst relative gradient error %.2e", worst);
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
        const double blocked = llamaBlockedGradientError();
        qInfo("llama, 3 attention blocks: worst relative gradient error %.2e", blocked);
        QVERIFY2(blocked < 1e-5, qPrintable(QString::number(blocked)));
    }

    void bertGradientsMatchFiniteDifferencesWithPadding()
    {
        bool paddingIgnored = false;
        const double worst = bertGradientError(paddingIgnored);
        qInfo("bert: worst relative gradient error %.2e", worst);
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
        QVERIFY(paddingIgnored);
    }

    void optimizerUpdatesReachTheForward()
    {
        bool fp32 = false;
        QVERIFY(inPlaceUpdateReachesForward(fp32));
        QVERIFY(fp32);
    }

    void dropoutOnlyWhileTraining()
    {
        const DropoutCheck c = dropoutCheck();
        QVERIFY(c.evalDeterministic);
        QVERIFY(c.trainVaries);
        QVERIFY(c.trainDiffersFromEval);
    }

    void bf16AutocastOnlyInsideItsScope()
    {
        const AutocastCheck c = autocastCheck();
        qInfo("bf16 autocast vs fp32: max |diff| %.3g of max |logit| %.3g", c.maxDiff, c.maxLogit);
        QVERIFY(c.logitsFp32);
        QVERIFY(c.maxDiff > 0);                 // the matmuls ran in bf16
        QVERIFY(c.maxDiff < 0.05 * c.maxLogit); // within bf16's precision
        QVERIFY(c.fp32After);
        QVERIFY(c.fp32WhenDisabled);
    }
};

QTEST_GUILESS_MAIN(TestTrainable)
#include "test_trainable.moc"
