namespace Chartseal.Oci;

/// <summary>
/// A registry request that failed: the registry refused it, answered something unusable, or could not be reached.
/// The message is one line naming the reference (or URL) and the reason; <see cref="StatusCode"/> and
/// <see cref="ErrorCodes"/> let callers tell cases apart without parsing it.
/// </summary>
public sealed class OciRegistryException : ChartsealException
{
    /// <summary>Creates the error.</summary>
    /// <param name="what">The reference or URL the request was about.</param>
    /// <param name="reason">Why it failed.</param>
    /// <param name="statusCode">The HTTP status of the answer, or null when there was none (connection, TLS, timeout).</param>
    /// <param name="errorCodes">The distribution error codes of the answer (<c>MANIFEST_UNKNOWN</c>, <c>DENIED</c>...).</param>
    /// <param name="inner">The underlying error, if any.</param>
    public OciRegistryException(string what, string reason, int? statusCode = null, IReadOnlyList<string>? errorCodes = null, Exception? inner = null)
        : base(what, reason, inner)
    {
        StatusCode = statusCode;
        ErrorCodes = errorCodes ?? [];
    }

    /// <summary>The HTTP status of the registry's answer, or null when no answer came.</summary>
    public int? StatusCode { get; }

    /// <summary>The <c>errors[].code</c> values of the registry's answer (empty when it sent none).</summary>
    public IReadOnlyList<string> ErrorCodes { get; }

    /// <summary>Whether the registry does not offer the operation at all (404, 405 or <c>UNSUPPORTED</c>).</summary>
    public bool IsUnsupported => StatusCode is 404 or 405 || ErrorCodes.Contains("UNSUPPORTED");
}
