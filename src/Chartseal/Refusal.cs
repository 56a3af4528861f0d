namespace Chartseal;

/// <summary>
/// Why something was refused: a reason from the closed set and one line for people. The one refusal type that
/// verification, trust, publish, pull, audit and update results share, so a reason travels from where it is found
/// to where it is printed without being re-wrapped.
/// </summary>
/// <param name="Reason">Why (closed set; its name and code are stable).</param>
/// <param name="Message">One line for people.</param>
public sealed record Refusal(RejectionReason Reason, string Message)
{
    /// <summary>The reason's stable kebab-case name, e.g. <c>signer-revoked</c>.</summary>
    public string Name => Reason.Name();

    /// <summary>The reason's stable code, e.g. <c>CSL2007</c>.</summary>
    public string Code => Reason.Code();

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Message}";
}
