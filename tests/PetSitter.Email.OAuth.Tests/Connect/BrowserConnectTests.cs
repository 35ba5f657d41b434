using System.Diagnostics;
using System.Text.RegularExpressions;
using MimeKit;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace PetSitter.Email.OAuth.Tests.Connect;

/// <summary>
/// "Connect Microsoft 365" in a real headless Chromium (Debian's /usr/bin/chromium, driven by Microsoft.Playwright's
/// node driver from its NuGet package; no browser is downloaded): the settings page, the authorization server's
/// sign-in and consent page, the callback, and a send over XOAUTH2 with the stored grant. Screenshots of each page go
/// to artifacts/test-results/screenshots.
/// </summary>
public sealed class BrowserConnectTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Owner_connects_Microsoft_365_in_a_browser_and_the_first_send_goes_over_XOAUTH2()
    {
        File.Exists(Chromium).Should().BeTrue("./build.sh test installs Debian's chromium package (apt-get install chromium)");
        var clock = Stopwatch.StartNew();
        await using var app = await ConnectApp.StartAsync();
        var shots = Screenshots();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });

        // The authorization server's certificate comes from the suite's test CA, which the browser does not know.
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        await context.AddCookiesAsync([new Cookie { Name = ConnectApp.UserCookie, Value = ConnectApp.Owner, Url = app.Address.AbsoluteUri }]);
        var page = await context.NewPageAsync();

        await page.GotoAsync(new Uri(app.Address, "/settings/email").AbsoluteUri);
        (await page.TextContentAsync("#status")).Should().Be("No mailbox connected.");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "1-settings-page.png"), FullPage = true });

        await page.ClickAsync("#connect-microsoft");
        await page.WaitForURLAsync(url => url.StartsWith(app.Authority.BaseAddress.AbsoluteUri, StringComparison.Ordinal));
        (await page.TitleAsync()).Should().StartWith("Sign in");
        await page.FillAsync("input[name=test_mailbox]", ConnectApp.Mailbox);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "2-sign-in-and-consent.png"), FullPage = true });

        await page.ClickAsync("button[value=allow]");
        // The address is polled, not awaited as a navigation: when the redirect chain has already ended, WaitForURLAsync
        // waits for the load event whatever WaitUntil says, and that timed out twice at 30 s on a loaded machine although
        // the page had arrived. The text reads below wait for their elements.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("oauth=connected"), new PageAssertionsToHaveURLOptions { Timeout = 30_000 });
        app.RegisterIssuedSecrets();
        (await page.TextContentAsync("#result")).Should().Be("Your mailbox is connected.");
        (await page.TextContentAsync("#status")).Should().Contain(ConnectApp.Mailbox);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "3-connected.png"), FullPage = true });

        var grant = app.Grants.Grants.Should().ContainSingle().Subject;
        grant.Mailbox.Should().Be(ConnectApp.Mailbox);
        grant.ConnectedBy.Should().Be(ConnectApp.Owner);

        var message = new MimeMessage { Subject = "Invoice 2026-118" };
        message.From.Add(MailboxAddress.Parse(ConnectApp.Mailbox));
        message.To.Add(MailboxAddress.Parse("client@clients.example"));
        message.Body = new TextPart("plain") { Text = "Thanks for letting us look after Bello." };
        var outcome = await app.Sender.SendAsync(new OutgoingEmail(ConnectApp.Business, EmailCategory.Invoice, message));

        outcome.Status.Should().Be(SendStatus.Sent, outcome.ToString());
        outcome.Channel.Should().Be(EmailChannel.Smtp);
        app.Smtp.Messages.Should().ContainSingle().Which.Message.Subject.Should().Be("Invoice 2026-118");
        app.Smtp.AccessTokensReceived.Should().NotBeEmpty().And.OnlyContain(token => app.Authority.ValidateAccessToken(token, ConnectApp.Mailbox, "https://outlook.office.com/SMTP.Send"));
        output.WriteLine($"Browser connect flow, app start to send: {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private static string Screenshots()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PetSitter.Email.sln")))
        {
            dir = dir.Parent;
        }

        var path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", "test-results", "screenshots");
        Directory.CreateDirectory(path);
        return path;
    }
}
