using System.Runtime.CompilerServices;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Chartseal.OpenPgp;

namespace Chartseal.Keys;

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
