namespace Chartseal.Oci;

/// <summary>The pre-defined OCI annotation keys Helm writes into a chart's manifest.</summary>
public static class OciAnnotations
{
    /// <summary>When the content was created (RFC 3339); Helm writes the archive's modification time.</summary>
    public const string Created = "org.opencontainers.image.created";

    /// <summary>The chart's maintainers, <c>Name (email), Name (email)</c>.</summary>
    public const string Authors = "org.opencontainers.image.authors";

    /// <summary>The chart's <c>home</c>.</summary>
    public const string Url = "org.opencontainers.image.url";

    /// <summary>The chart's first <c>sources</c> entry.</summary>
    public const string Source = "org.opencontainers.image.source";

    /// <summary>The chart's version.</summary>
    public const string Version = "org.opencontainers.image.version";

    /// <summary>The chart's description.</summary>
    public const string Description = "org.opencontainers.image.description";

    /// <summary>The chart's name.</summary>
    public const string Title = "org.opencontainers.image.title";
}
