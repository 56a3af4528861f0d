using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Chartseal.Server.Tests.Page;

/// <summary>
/// One real headless Chromium for a test class, driven through the system's chromedriver (Debian packages
/// <c>chromium</c> and <c>chromium-driver</c>; <c>.ci/run</c> installs them). Never skipped: without them every test
/// fails with one line saying what is missing. Screenshots go to the test output folder (<c>screenshots/</c>) and are
/// attached to the test result.
/// </summary>
public sealed class ChromeFixture : IAsyncLifetime
{
    public const string DriverPath = "/usr/bin/chromedriver";

    private static readonly string[] BrowserPaths = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"];

    private ChromeDriver? _driver;
    private string? _problem;
    private string? _profile;

    /// <summary>The browser; fails the test with one line when Chromium or chromedriver is missing.</summary>
    public ChromeDriver Web
    {
        get
        {
            if (_driver is null)
            {
                Assert.Fail(_problem ?? "Chromium did not start");
            }
            return _driver;
        }
    }

    /// <summary>Where screenshots are saved.</summary>
    public static string ScreenshotFolder => Path.Combine(AppContext.BaseDirectory, "screenshots");

    public ValueTask InitializeAsync()
    {
        string? browser = BrowserPaths.FirstOrDefault(File.Exists);
        if (!File.Exists(DriverPath) || browser is null)
        {
            _problem = $"browser tests need Chromium and chromedriver (Debian packages chromium and chromium-driver; .ci/run installs them): {(browser is null ? "no chromium in " + string.Join(", ", BrowserPaths) : DriverPath + " not found")}";
            return ValueTask.CompletedTask;
        }
        _profile = Directory.CreateTempSubdirectory("chartseal-chromium").FullName;
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = browser };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", "--window-size=1280,1000", "--user-data-dir=" + _profile);
        try
        {
            _driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(90));
        }
        catch (WebDriverException e)
        {
            service.Dispose();
            _problem = $"Chromium ({browser}) did not start through {DriverPath}: {e.Message.Split('\n')[0]}";
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Sets the window's size (a phone: 390 × 844).</summary>
    public void Resize(int width, int height) => Web.Manage().Window.Size = new System.Drawing.Size(width, height);

    /// <summary>Saves a PNG of the page to the output folder and attaches it to the test's result.</summary>
    public string Screenshot(string name)
    {
        byte[] png = ((ITakesScreenshot)Web).GetScreenshot().AsByteArray;
        Directory.CreateDirectory(ScreenshotFolder);
        string path = Path.Combine(ScreenshotFolder, name + ".png");
        File.WriteAllBytes(path, png);
        TestContext.Current.AddAttachment(name + ".png", png, "image/png");
        return path;
    }

    public ValueTask DisposeAsync()
    {
        // Quit ends Chromium and its chromedriver (started for this class only).
        _driver?.Quit();
        _driver?.Dispose();
        if (_profile is not null)
        {
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still be writing its profile as it exits; the temporary folder goes with the machine's.
            }
        }
        return ValueTask.CompletedTask;
    }
}
