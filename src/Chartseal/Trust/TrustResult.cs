namespace Chartseal.Trust;

/// <summary>The outcome of <see cref="TrustedMaterial.Load"/>.</summary>
public abstract record TrustResult
{
    private TrustResult() { }

    /// <summary>The material verified.</summary>
    public sealed record Accepted(TrustedMaterial Material) : TrustResult;

    /// <summary>The material was refused.</summary>
    /// <param name="Refusal">Why (a trust-* reason).</param>
    public sealed record Rejected(Refusal Refusal) : TrustResult
    {
        /// <summary>A refusal for <paramref name="reason"/>.</summary>
        public Rejected(RejectionReason reason, string message)
            : this(new Refusal(reason, message))
        {
        }

        /// <summary>Why (the refusal's reason).</summary>
        public RejectionReason Reason => Refusal.Reason;

        /// <summary>One line for people (the refusal's message).</summary>
        public string Message => Refusal.Message;
    }
}
