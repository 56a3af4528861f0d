namespace Chartseal.Gate;

/// <summary>Stable names of <see cref="TrustKind"/> for JSON and text.</summary>
public static class TrustKinds
{
    /// <summary><c>repository</c>, <c>repository+keyring</c> or <c>signature-only</c>.</summary>
    public static string Name(this TrustKind kind) => kind switch
    {
        TrustKind.Repository => "repository",
        TrustKind.RepositoryAndLocalKeyring => "repository+keyring",
        TrustKind.SignatureOnly => "signature-only",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
