using System.Text.Json;

namespace PetSitter.Email.Cli.Tests;

public sealed class DemoCommandTests : IDisposable
{
    private readonly string _pickup = Path.Combine(Path.GetTempPath(), "petsitter-email-cli-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_pickup))
        {
            Directory.Delete(_pickup, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    private async Task<JsonElement[]> DemoJsonAsync()
    {
        var (exitCode, output, error) = await RunAsync("demo", "--json", "--pickup-dir", _pickup);
        exitCode.Should().Be(0, error);
        using var document = JsonDocument.Parse(output);
        return document.RootElement.GetProperty("messages").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    [Fact]
    public async Task Demo_json_has_one_entry_per_message_with_the_documented_fields()
    {
        var messages = await DemoJsonAsync();

        messages.Should().HaveCount(53, "six messages for each of six businesses, a campaign of eight with an invoice, then two to a client who unsubscribed");
        foreach (var message in messages)
        {
            message.GetProperty("category").GetString().Should().BeOneOf(Enum.GetNames<EmailCategory>());
            message.GetProperty("channel").GetString().Should().BeOneOf("Smtp", "Native");
            message.GetProperty("status").GetString().Should().BeOneOf(Enum.GetNames<SendStatus>());
            message.GetProperty("fallback").ValueKind.Should().BeOneOf(JsonValueKind.True, JsonValueKind.False);
            var failureKind = message.GetProperty("failureKind");
            if (message.GetProperty("status").GetString() == "Sent" && !message.GetProperty("fallback").GetBoolean())
            {
                failureKind.ValueKind.Should().Be(JsonValueKind.Null, "a plain success has no failure");
            }
        }
    }

    [Fact]
    public async Task Demo_routes_each_business_by_its_settings()
    {
        var messages = await DemoJsonAsync();
        static string Channel(JsonElement e) => e.GetProperty("channel").GetString()!;
        IEnumerable<JsonElement> Of(string business) => messages.Where(m => m.GetProperty("business").GetString() == business);

        Of("whiskers").Select(Channel).Should().HaveCount(6).And.OnlyContain(c => c == "Native");
        Of("paws").Select(Channel).Should().HaveCount(8).And.OnlyContain(c => c == "Smtp");
        foreach (var message in Of("happytails"))
        {
            var direct = message.GetProperty("category").GetString() is "Marketing" or "General";
            Channel(message).Should().Be(direct ? "Smtp" : "Native");
        }

        messages.Where(m => m.GetProperty("status").GetString() == "Sent").Should().HaveCountGreaterThan(20);
    }

    [Fact]
    public async Task Demo_holds_a_campaign_to_its_share_while_the_invoice_goes_over_SMTP()
    {
        var messages = await DemoJsonAsync();
        var campaign = messages.Where(m => m.GetProperty("business").GetString() == "wagtails").ToArray();

        // 60 % of the mailbox's 10 a day: 6 marketing messages go, 2 wait for tomorrow, the invoice uses the reserve.
        var marketing = campaign.Where(m => m.GetProperty("category").GetString() == "Marketing").ToArray();
        marketing.Count(m => m.GetProperty("status").GetString() == "Sent" && m.GetProperty("channel").GetString() == "Smtp").Should().Be(6);
        var held = marketing.Where(m => m.GetProperty("status").GetString() == "Deferred").ToArray();
        held.Should().HaveCount(2);
        held.Should().OnlyContain(m => m.GetProperty("reason").GetString()!.StartsWith("Marketing paused to keep room for quotes and invoices until ", StringComparison.Ordinal));
        var invoice = campaign.Single(m => m.GetProperty("category").GetString() == "Invoice");
        invoice.GetProperty("status").GetString().Should().Be("Sent");
        invoice.GetProperty("channel").GetString().Should().Be("Smtp");
        invoice.GetProperty("fallback").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task Demo_writes_native_mail_as_eml_files()
    {
        var messages = await DemoJsonAsync();

        var nativeSent = messages.Count(m => m.GetProperty("channel").GetString() == "Native" && m.GetProperty("status").GetString() == "Sent");
        Directory.GetFiles(_pickup, "*.eml").Should().HaveCount(nativeSent);
    }

    [Fact]
    public async Task Demo_shows_marketing_to_an_unsubscribed_client_suppressed_while_her_invoice_goes_over_smtp()
    {
        var messages = await DemoJsonAsync();

        var last = messages[^2..];
        last[0].GetProperty("category").GetString().Should().Be("Marketing");
        last[0].GetProperty("status").GetString().Should().Be("Failed");
        last[0].GetProperty("suppression").GetString().Should().Be("Unsubscribed");
        last[0].GetProperty("failureKind").ValueKind.Should().Be(JsonValueKind.Null, "nothing was tried on the wire");
        last[1].GetProperty("category").GetString().Should().Be("Invoice");
        last[1].GetProperty("status").GetString().Should().Be("Sent");
        last[1].GetProperty("channel").GetString().Should().Be("Smtp");
        last[1].GetProperty("suppression").ValueKind.Should().Be(JsonValueKind.Null);
        messages.Count(m => m.GetProperty("suppression").ValueKind != JsonValueKind.Null).Should().Be(1);
    }

    [Fact]
    public async Task Demo_sends_the_oauth_connected_business_over_xoauth2_and_tells_the_revoked_one_to_reconnect()
    {
        var (exitCode, output, error) = await RunAsync("demo", "--json", "--pickup-dir", _pickup);
        exitCode.Should().Be(0, error);
        using var document = JsonDocument.Parse(output);
        var messages = document.RootElement.GetProperty("messages").EnumerateArray().ToArray();
        JsonElement[] Of(string business) => [.. messages.Where(m => m.GetProperty("business").GetString() == business)];

        Of("muddypaws").Should().HaveCount(6).And.OnlyContain(m => m.GetProperty("status").GetString() == "Sent" && m.GetProperty("channel").GetString() == "Smtp");
        var oauthServer = document.RootElement.GetProperty("servers").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "oauth-office365");
        oauthServer.GetProperty("messagesReceived").GetInt32().Should().Be(6, "only the connected mailbox's token is accepted");

        var revoked = Of("cosycats");
        var invoice = revoked.Single(m => m.GetProperty("category").GetString() == "Invoice");
        invoice.GetProperty("channel").GetString().Should().Be("Native");
        invoice.GetProperty("fallback").GetBoolean().Should().BeTrue();
        invoice.GetProperty("failureKind").GetString().Should().Be("CredentialsExpired");
        revoked.Single(m => m.GetProperty("category").GetString() == "Marketing").GetProperty("status").GetString().Should().Be("Deferred");
        document.RootElement.GetProperty("ownerEvents").EnumerateArray().Select(e => e.GetString())
            .Should().Contain(e => e!.StartsWith("cosycats: ", StringComparison.Ordinal) && e.Contains("reconnect your mailbox", StringComparison.Ordinal) && e.EndsWith("[required action: Reconnect]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Demo_table_names_both_channels()
    {
        var (exitCode, output, _) = await RunAsync("demo", "--pickup-dir", _pickup);

        exitCode.Should().Be(0);
        output.Should().Contain("Smtp").And.Contain("Native").And.Contain("sent via SMTP").And.Contain(_pickup);
    }

    [Fact]
    public async Task An_unknown_command_is_a_usage_error()
    {
        var (exitCode, _, error) = await RunAsync("nonsense");

        exitCode.Should().NotBe(0);
        error.Should().NotBeEmpty();
    }
}
