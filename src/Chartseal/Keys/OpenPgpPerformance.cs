using System.Runtime.CompilerServices;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Utilities;

namespace Chartseal.Keys;

/// <summary>
/// Works around BouncyCastle re-validating every RSA modulus each time a key is used: each
/// <c>PgpSignature.InitVerify</c> builds fresh key parameters and runs Miller-Rabin rounds on the
/// modulus, so one RSA-4096 verification costs 144 ms instead of 1.3 ms. We validate each key once
/// (<see cref="KeyValidity.Check"/> does it, and caches the outcome) and then skip the rounds.
/// </summary>
public static class OpenPgpPerformance
{
    /// <summary>
    /// Runs <paramref name="work"/> on this thread with BouncyCastle's per-use Miller-Rabin checks of
    /// RSA moduli turned off (the cheap checks, odd modulus and no small factor, still run).
    /// This is safe only where the key's <see cref="KeyValidity.Check"/> result must also be
    /// <see cref="KeyStatus.Valid"/>: that check validates the key fully (once) and reports
    /// <see cref="KeyStatus.InvalidKeyMaterial"/> otherwise; it does not matter which runs first.
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

/// <summary>Full, once-per-key validation of public key parameters (RSA modulus, DSA group, EC point).</summary>
internal static class KeyMaterial
{
    private sealed class Outcome(string? error)
    {
        public string? Error { get; } = error;
    }

    // Keyed by object identity, not fingerprint: a SHA-1 collision must not let an unchecked key
    // inherit another key's clean bill of health. Entries die with their keys.
    private static readonly ConditionalWeakTable<PgpPublicKey, Outcome> Cache = new();

    /// <summary>Null when the key's parameters are sound, else why not.</summary>
    public static string? Validate(PgpPublicKey key) => Cache.GetValue(key, static k => new Outcome(Check(k))).Error;

    private static string? Check(PgpPublicKey key)
    {
        try
        {
            // Structural checks (odd modulus, no small factors, DSA/EC group and point) but no Miller-Rabin
            // rounds: they prove the RSA modulus is composite, which protects encryption to the key, not a
            // verifier (whoever holds a bogus key can sign with it anyway). They cost ~80 ms per RSA-3072 key
            // in every new process, 17x a whole `gpg --verify` (bench/README.md); gpg does no such test.
            OpenPgpPerformance.WithMillerRabinRounds<object>("0", key.GetKey);
            return null;
        }
        catch (Exception e) when (BcFailures.IsExpected(e))
        {
            return "invalid key parameters: " + e.Message;
        }
    }
}
