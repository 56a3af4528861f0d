namespace Chartseal.Provenance;

/// <summary>
/// The outcome of verifying a chart archive against its provenance file. Either
/// <see cref="Verified"/> (every check passed) or <see cref="Rejected"/> with a reason; there is no
/// third state and no public constructor, so a result cannot be forged or half-filled.
/// </summary>
public abstract record ChartVerification
{
    private ChartVerification(string file) => File = file;

    /// <summary>The archive's file name (as given).</summary>
    public string File { get; }

    /// <summary>Lower-case hex SHA-256 of the archive, when it could be computed.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The archive's chart name and version, when it could be read.</summary>
    public ChartIdentity? Chart { get; init; }

    /// <summary>The signer, when the signature was made by a key in the keyring.</summary>
    public SignerInfo? Signer { get; init; }

    /// <summary>The signature's creation time (UTC), when a signature was found.</summary>
    public DateTime? SignedAt { get; init; }

    /// <summary>True only for <see cref="Verified"/>.</summary>
    public bool IsVerified => this is Verified;

    /// <summary>Every check passed.</summary>
    public sealed record Verified : ChartVerification
    {
        internal Verified(string file, string sha256, ChartIdentity chart, SignerInfo signer, DateTime signedAt)
            : base(file)
        {
            base.Sha256 = sha256;
            base.Chart = chart;
            base.Signer = signer;
            SignedAt = signedAt;
        }

        /// <summary>
        /// When the signing key, valid when it signed, has expired since (only when the verification accepted that: a
        /// repository still vouching for the key); null otherwise.
        /// </summary>
        public DateTime? KeyExpiredSince { get; init; }

        /// <summary>The archive's SHA-256 (never null here).</summary>
        public new string Sha256 => base.Sha256!;

        /// <summary>The verified chart (never null here).</summary>
        public new ChartIdentity Chart => base.Chart!;

        /// <summary>The signer (never null here).</summary>
        public new SignerInfo Signer => base.Signer!;
    }

    /// <summary>A check failed.</summary>
    public sealed record Rejected : ChartVerification
    {
        internal Rejected(string file, Refusal refusal)
            : base(file)
        {
            Refusal = refusal;
        }

        /// <summary>Why, in one line.</summary>
        public Refusal Refusal { get; }

        /// <summary>Why (the refusal's reason).</summary>
        public RejectionReason Reason => Refusal.Reason;

        /// <summary>A one-line explanation for people (the refusal's message).</summary>
        public string Message => Refusal.Message;
    }

    internal static Rejected Reject(string file, RejectionReason reason, string message) => new(file, new Refusal(reason, message));
}
