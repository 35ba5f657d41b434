using PetSitter.Email.OAuth.Tests.Support;
using PetSitter.Email.OAuth.TestServer;

namespace PetSitter.Email.OAuth.Tests;

/// <summary>The access token's life against a real authorization server: cache, single refresh, rotation, revocation, outages.</summary>
public sealed class TokenLifeTests
{
    private const string Business = "paws";
    private const string Mailbox = "owner@contoso.test";

    [Fact]
    public async Task Fifty_concurrent_sends_with_an_expired_token_make_exactly_one_token_request()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Microsoft);
        await world.ConnectAsync(Business, Mailbox);
        world.Time.Advance(TimeSpan.FromHours(2));
        var before = world.Authority.TokenRequests;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(n => world.SendAsync(Business, EmailCategory.General, n)));

        outcomes.Should().OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp);
        (world.Authority.TokenRequests - before).Should().Be(1, "one refresh in flight per grant, measured at the authorization server");
        world.Smtp.Messages.Should().HaveCount(50);
        world.Smtp.AuthenticationsFailed.Should().Be(0);
    }

    [Fact]
    public async Task A_thousand_sends_over_ten_hours_cost_one_token_request_per_token_lifetime()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Microsoft);
        await world.ConnectAsync(Business, Mailbox);
        var before = world.Authority.TokenRequests;

        // A business's day: 100 bursts of 10 emails, 6 minutes apart (longer than the pool keeps an idle connection).
        for (var n = 0; n < 1_000; n++)
        {
            (await world.SendAsync(Business, EmailCategory.General, n)).Status.Should().Be(SendStatus.Sent);
            if (n % 10 == 9)
            {
                world.Time.Advance(TimeSpan.FromMinutes(6));
            }
        }

        var refreshes = world.Authority.TokenRequests - before;
        var tokens = world.Smtp.AccessTokensReceived.Distinct(StringComparer.Ordinal).Count();
        var signIns = world.Smtp.AuthenticationsSucceeded;

        // Tokens live an hour and are refreshed 5 minutes early: 10 hours need about 10 refreshes.
        refreshes.Should().BeInRange(9, 11);
        tokens.Should().Be(refreshes + 1, "the token from the code exchange is used first");
        signIns.Should().BeGreaterThanOrEqualTo(tokens);
        Console.WriteLine($"OAuth figures: {refreshes} token requests per 1,000 sends over 10 h; {signIns} sign-ins with {tokens} tokens ({(double)signIns / tokens:0.##} per token)");
    }

    [Fact]
    public async Task A_rotated_refresh_token_is_stored_before_the_new_access_token_is_used()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Microsoft);
        var grant = await world.ConnectAsync(Business, Mailbox);
        string? storedAtSignIn = null;
        world.Smtp.Script = context =>
        {
            if (context.Stage == SmtpStage.Authenticate)
            {
                storedAtSignIn = world.Grants.GetAsync(Business, CancellationToken.None).AsTask().GetAwaiter().GetResult()!.RefreshToken;
            }

            return null;
        };
        world.Time.Advance(TimeSpan.FromHours(2));

        (await world.SendAsync(Business, EmailCategory.Invoice, 1)).Status.Should().Be(SendStatus.Sent);

        storedAtSignIn.Should().NotBeNull().And.NotBe(grant.RefreshToken, "the rotated refresh token was saved before the new access token reached the SMTP server");
        world.Grants.Saves.Should().Be(2, "one save at connect, one for the rotation");

        // The old refresh token is retired at the server: only the stored new one refreshes again.
        world.Time.Advance(TimeSpan.FromHours(2));
        (await world.SendAsync(Business, EmailCategory.Invoice, 2)).Status.Should().Be(SendStatus.Sent);
        world.Grants.Saves.Should().Be(3);
        world.Smtp.AuthenticationsFailed.Should().Be(0);
    }

    [Fact]
    public async Task Google_keeps_its_refresh_token_so_a_refresh_saves_nothing()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Google);
        var grant = await world.ConnectAsync(Business, "owner@gmail.test");
        world.Time.Advance(TimeSpan.FromHours(2));

        (await world.SendAsync(Business, EmailCategory.Invoice, 1)).Status.Should().Be(SendStatus.Sent);
        world.Time.Advance(TimeSpan.FromHours(2));
        (await world.SendAsync(Business, EmailCategory.Invoice, 2)).Status.Should().Be(SendStatus.Sent);

        world.Authority.RefreshRequests.Should().Be(2);
        world.Grants.Saves.Should().Be(1, "Google returns no new refresh token: nothing to save");
        (await world.Grants.GetAsync(Business, CancellationToken.None))!.RefreshToken.Should().Be(grant.RefreshToken);
    }

    [Fact]
    public async Task A_revoked_grant_gives_one_failed_sign_in_then_CredentialsExpired_with_Reconnect()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Microsoft);
        await world.ConnectAsync(Business, Mailbox);
        world.Authority.RevokeGrants(Mailbox);

        var invoice = await world.SendAsync(Business, EmailCategory.Invoice, 1);
        var marketing = await world.SendAsync(Business, EmailCategory.Marketing, 2);
        var general = await world.SendAsync(Business, EmailCategory.General, 3);

        invoice.FailureKind.Should().Be(SmtpFailureKind.CredentialsExpired, invoice.ToString());
        invoice.SmtpFailure!.RequiredAction.Should().Be(RequiredAction.Reconnect);
        invoice.SmtpFailure.Advice.Should().Contain("reconnect your mailbox");
        invoice.Channel.Should().Be(EmailChannel.Native, "the invoice always gets through");
        marketing.Status.Should().Be(SendStatus.Deferred);
        general.FailureKind.Should().Be(SmtpFailureKind.CredentialsExpired);
        world.Smtp.AuthenticationsFailed.Should().Be(1, "the cached token is refused once; the refresh gets invalid_grant and the breaker holds the account");
        world.Authority.RefreshRequests.Should().Be(1);
        var change = world.HealthChanges.Should().ContainSingle().Which;
        change.Kind.Should().Be(SmtpFailureKind.CredentialsExpired);
        change.RequiredAction.Should().Be(RequiredAction.Reconnect);
        change.Advice.Should().Contain("reconnect your mailbox");
        world.Health.GetHealth(Business).RequiredAction.Should().Be(RequiredAction.Reconnect);
    }

    [Fact]
    public async Task A_refresh_token_expired_after_inactivity_reads_CredentialsExpired_with_Reconnect()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Google);
        await world.ConnectAsync(Business, "owner@gmail.test");
        world.Authority.ExpireRefreshTokens("owner@gmail.test");
        world.Time.Advance(TimeSpan.FromHours(2));

        var outcome = await world.SendAsync(Business, EmailCategory.Invoice, 1);

        outcome.FailureKind.Should().Be(SmtpFailureKind.CredentialsExpired, outcome.ToString());
        outcome.SmtpFailure!.RequiredAction.Should().Be(RequiredAction.Reconnect);
        world.Smtp.AuthenticationsFailed.Should().Be(0, "no token, no sign-in");
    }

    [Fact]
    public async Task A_failing_token_endpoint_is_Transient_the_invoice_goes_native_and_the_owner_is_not_blamed()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Microsoft);
        await world.ConnectAsync(Business, Mailbox);
        world.Time.Advance(TimeSpan.FromHours(2));
        world.Authority.TokenEndpointBehavior = TokenEndpointBehavior.Fail;
        var before = world.Authority.TokenRequests;

        var invoice = await world.SendAsync(Business, EmailCategory.Invoice, 1);

        invoice.FailureKind.Should().Be(SmtpFailureKind.Transient, invoice.ToString());
        invoice.SmtpFailure!.RequiredAction.Should().Be(RequiredAction.None);
        invoice.SmtpFailure.Advice.Should().NotContain("reconnect");
        invoice.Channel.Should().Be(EmailChannel.Native, "the category's fallback");
        (world.Authority.TokenRequests - before).Should().BeGreaterThan(1, "the send was retried");
        world.Health.GetHealth(Business).Kind.Should().NotBe(SmtpFailureKind.CredentialsExpired);
        world.HealthChanges.Should().NotContain(e => e.RequiredAction != RequiredAction.None);
        world.Smtp.AuthenticationsFailed.Should().Be(0);

        // The endpoint is back: the next send refreshes and goes through the owner's mailbox.
        world.Authority.TokenEndpointBehavior = TokenEndpointBehavior.Normal;
        world.Time.Advance(TimeSpan.FromMinutes(30));
        (await world.SendAsync(Business, EmailCategory.Invoice, 2)).Channel.Should().Be(EmailChannel.Smtp);
    }

    [Fact]
    public async Task A_hanging_token_endpoint_times_out_on_the_library_clock_and_reads_Transient()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Google, options => options.TokenRequestTimeout = TimeSpan.FromSeconds(5));
        await world.ConnectAsync(Business, "owner@gmail.test");
        world.Time.Advance(TimeSpan.FromHours(2));
        world.Authority.TokenEndpointBehavior = TokenEndpointBehavior.Hang;

        var send = world.SendAsync(Business, EmailCategory.Invoice, 1);
        var hanging = world.Authority.NextHangingRequestAsync();
        while (await Task.WhenAny(send, hanging) == hanging)
        {
            // Each attempt hangs at the server until the library's timeout, on its clock, gives up.
            world.Time.Advance(TimeSpan.FromSeconds(5));
            hanging = world.Authority.NextHangingRequestAsync();
        }

        var invoice = await send;
        invoice.FailureKind.Should().Be(SmtpFailureKind.Transient, invoice.ToString());
        invoice.SmtpFailure!.RequiredAction.Should().Be(RequiredAction.None);
        invoice.Channel.Should().Be(EmailChannel.Native);
    }
}
