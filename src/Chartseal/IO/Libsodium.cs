using NSec.Cryptography;

namespace Chartseal.IO;

/// <summary>
/// Whether libsodium (through NSec) can be used in this process: Ed25519 verification (<c>OpenPgp/SignatureMath</c>) and
/// small SHA-256s (<see cref="ContentHash"/>). The native library ships beside the program (NuGet's runtime assets;
/// NativeAOT publishes it next to the binary). Where it cannot be loaded, callers use managed or platform code instead,
/// which gives the same results.
/// </summary>
internal static class Libsodium
{
    private static readonly Lazy<bool> Available = new(Probe);

    /// <summary>True when libsodium loaded (checked once per process).</summary>
    public static bool IsAvailable => Available.Value;

    private static bool Probe()
    {
        try
        {
            // Touching an algorithm runs NSec's start-up: it loads libsodium and calls sodium_init.
            return SignatureAlgorithm.Ed25519.SignatureSize == 64;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or TypeInitializationException or InvalidOperationException or PlatformNotSupportedException)
        {
            return false;
        }
    }
}
