namespace Chartseal.Server.Page;

/// <summary>How much a repository page shows at once, so that no page grows past a few hundred kilobytes.</summary>
internal static class PageLimits
{
    /// <summary>Charts per page of the overview.</summary>
    public const int ChartsPerPage = 25;

    /// <summary>Versions per page of a chart's page.</summary>
    public const int VersionsPerPage = 50;

    /// <summary>Items per page of the JSON lists.</summary>
    public const int JsonPerPage = 100;

    /// <summary>Keys listed (maintainers, revoked keys); the rest are counted.</summary>
    public const int Keys = 100;

    /// <summary>A name, a user id, a version.</summary>
    public const int ShortText = 120;

    /// <summary>A description in the overview's table.</summary>
    public const int Summary = 240;

    /// <summary>A description on the chart's page, a refusal's message, a command.</summary>
    public const int LongText = 2000;

    /// <summary>The longest search accepted.</summary>
    public const int Query = 100;

    /// <summary>The longest URL shown as an icon or a link.</summary>
    public const int Url = 2048;
}
