using Org.BouncyCastle.Utilities;

namespace Chartseal.OpenPgp;

/// <summary>
/// Works around BouncyCastle re-validating every RSA modulus each time a key is used: each
/// <c>PgpSignature.InitVerify</c> builds fresh key parameters and runs Miller-Rabin rounds on the
/// modulus, so one RSA-4096 verification costs 144 ms instead of 1.3 ms. We validate each key once
/// (<c>Keys.KeyValidity.Check</c> does it, and caches the outcome) and then skip the rounds.
/// </summary>
public static class OpenPgpPerformance
{
    /// <summary>
    /// Runs <paramref name="work"/> on this thread with BouncyCastle's per-use Miller-Rabin checks of
    /// RSA moduli turned off (the cheap checks, odd modulus and no small factor, still run).
    /// This is safe only where the key's <c>KeyValidity.Check</c> result must also be
    /// <c>Valid</c>: that check validates the key fully (once) and reports
    /// <c>InvalidKeyMaterial</c> otherwise; it does not matter which runs first.
    /// </summary>
    public static T RunWithoutRepeatedKeyValidation<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return WithMillerRabinRounds("0", work);
    }

    /// <inheritdoc cref="RunWithoutRepeatedKeyValidation{T}(Func{T})"/>
    public static void RunWithoutRepeatedKeyValidation(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        WithMillerRabinRounds("0", () =>
        {
            work();
            return true;
        });
    }

    /// <summary>Runs <paramref name="work"/> with the thread property set (null = BouncyCastle's default), then restores it.</summary>
    internal static T WithMillerRabinRounds<T>(string? value, Func<T> work)
    {
        string? previous = Properties.GetThreadProperty(Properties.RsaMaxMRTests);
        Set(value);
        try
        {
            return work();
        }
        finally
        {
            Set(previous);
        }
    }

    private static void Set(string? value)
    {
        if (value is null)
        {
            Properties.RemoveThreadProperty(Properties.RsaMaxMRTests);
        }
        else
        {
            Properties.SetThreadProperty(Properties.RsaMaxMRTests, value);
        }
    }
}
