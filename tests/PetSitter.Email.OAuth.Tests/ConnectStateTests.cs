using PetSitter.Email.OAuth.Tests.Support;
using PetSitter.Email.OAuth.TestServer;

namespace PetSitter.Email.OAuth.Tests;

/// <summary>The connect flow's callback: only the request's own user, business and lifetime, once, stores a grant.</summary>
public sealed class ConnectStateTests
{
    private const string Business = "paws";
    private const string Mailbox = "owner@contoso.test";

    [Fact]
    public async Task The_mailbox_address_comes_from_the_ID_token_and_becomes_the_SMTP_user_name()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Microsoft);

        var grant = await world.ConnectAsync(Business, "Front.Desk@contoso.test");

        grant.Mailbox.Should().Be("Front.Desk@contoso.test");
        grant.Provider.Should().Be(SmtpOAuthProviders.MicrosoftName);
        grant.ConnectedBy.Should().Be(OAuthWorld.OwnerUser);
        grant.Scopes.Should().Contain("https://outlook.office.com/SMTP.Send");
        grant.ToString().Should().NotContain(grant.RefreshToken);
        var settings = world.Connector.CreateSmtpSettings(grant);
        settings.UserName.Should().Be("Front.Desk@contoso.test");
        settings.AccessTokenGrantId.Should().Be(grant.GrantId);
        settings.Provider.Should().Be("Microsoft 365");
        (await world.SendAsync(Business, EmailCategory.Invoice, 1)).Channel.Should().Be(EmailChannel.Smtp);
        world.Authority.TokenRequests.Should().Be(1, "the access token of the code exchange serves the first send");
    }

    [Fact]
    public async Task An_authorization_request_carries_PKCE_S256_a_nonce_the_scopes_and_a_sealed_state()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Google);

        var request = await world.Connector.CreateAuthorizationRequestAsync(Business, OAuthWorld.OwnerUser, SmtpOAuthProviders.GoogleName, OAuthWorld.RedirectUri);

        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.AuthorizationUri.Query);
        query["code_challenge_method"].ToString().Should().Be("S256");
        query["code_challenge"].ToString().Should().HaveLength(43);
        query["nonce"].ToString().Should().NotBeEmpty();
        query["scope"].ToString().Should().Be("https://mail.google.com/ openid email");
        query["access_type"].ToString().Should().Be("offline");
        query["state"].ToString().Should().Be(request.State);
        request.State.Should().NotContain(Business).And.NotContain(OAuthWorld.OwnerUser);
        request.ExpiresAt.Should().Be(OAuthWorld.Start.AddMinutes(10));
    }

    [Fact]
    public async Task A_forged_state_stores_nothing()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Microsoft);
        var (request, callback) = await AuthorizeAsync(world);
        var state = callback["state"]!;
        var tampered = state[..^3] + (state[^3] == 'A' ? 'B' : 'A') + state[^2..];

        var forged = await world.Connector.CompleteAsync(new SmtpOAuthCallback(tampered, callback["code"]), OAuthWorld.OwnerUser, Business);
        var made = await world.Connector.CompleteAsync(new SmtpOAuthCallback("eyJiIjoicGF3cyIsInUiOiJhcHAtdXNlci00MiJ9", callback["code"]), OAuthWorld.OwnerUser, Business);
        var missing = await world.Connector.CompleteAsync(new SmtpOAuthCallback(null, callback["code"]), OAuthWorld.OwnerUser, Business);

        forged.Error.Should().Be(SmtpOAuthConnectError.InvalidState);
        made.Error.Should().Be(SmtpOAuthConnectError.InvalidState);
        missing.Error.Should().Be(SmtpOAuthConnectError.InvalidState);
        AssertNothingStored(world);
        request.Should().NotBeNull();
    }

    [Fact]
    public async Task A_state_made_for_another_user_stores_nothing_and_stays_usable_by_its_own_user()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Microsoft);
        var (_, callback) = await AuthorizeAsync(world);

        var other = await world.Connector.CompleteAsync(SmtpOAuthCallback.From(callback), "app-user-99", Business);

        other.Error.Should().Be(SmtpOAuthConnectError.OtherUser);
        AssertNothingStored(world);
        (await world.Connector.CompleteAsync(SmtpOAuthCallback.From(callback), OAuthWorld.OwnerUser, Business)).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task A_state_made_for_another_business_stores_nothing()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Microsoft);
        var (_, callback) = await AuthorizeAsync(world);

        var result = await world.Connector.CompleteAsync(SmtpOAuthCallback.From(callback), OAuthWorld.OwnerUser, "whiskers");

        result.Error.Should().Be(SmtpOAuthConnectError.OtherBusiness);
        AssertNothingStored(world);
    }

    [Fact]
    public async Task An_expired_state_stores_nothing()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Microsoft);
        var (_, callback) = await AuthorizeAsync(world);
        world.Time.Advance(TimeSpan.FromMinutes(11));

        var result = await world.Connector.CompleteAsync(SmtpOAuthCallback.From(callback), OAuthWorld.OwnerUser, Business);

        result.Error.Should().Be(SmtpOAuthConnectError.Expired);
        AssertNothingStored(world);
    }

    [Fact]
    public async Task A_replayed_state_stores_nothing_the_second_time()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Microsoft);
        var (_, callback) = await AuthorizeAsync(world);
        var first = await world.Connector.CompleteAsync(SmtpOAuthCallback.From(callback), OAuthWorld.OwnerUser, Business);
        var requests = world.Authority.TokenRequests;

        var replay = await world.Connector.CompleteAsync(SmtpOAuthCallback.From(callback), OAuthWorld.OwnerUser, Business);

        first.Succeeded.Should().BeTrue(first.ToString());
        replay.Error.Should().Be(SmtpOAuthConnectError.Replayed);
        world.Grants.Saves.Should().Be(1);
        world.Authority.TokenRequests.Should().Be(requests, "a replayed callback never reaches the token endpoint");
    }

    [Fact]
    public async Task A_declined_consent_stores_nothing()
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Microsoft);
        var request = await world.Connector.CreateAuthorizationRequestAsync(Business, OAuthWorld.OwnerUser, SmtpOAuthProviders.MicrosoftName, OAuthWorld.RedirectUri);

        var result = await world.Connector.CompleteAsync(new SmtpOAuthCallback(request.State, null, "access_denied"), OAuthWorld.OwnerUser, Business);

        result.Error.Should().Be(SmtpOAuthConnectError.Declined);
        AssertNothingStored(world);
    }

    private static async Task<(SmtpOAuthAuthorizationRequest Request, IReadOnlyDictionary<string, string?> Callback)> AuthorizeAsync(OAuthWorld world)
    {
        var request = await world.Connector.CreateAuthorizationRequestAsync(Business, OAuthWorld.OwnerUser, SmtpOAuthProviders.MicrosoftName, OAuthWorld.RedirectUri);
        var callback = await world.Authority.AuthorizeAsync(request.AuthorizationUri, Mailbox);
        world.RegisterIssuedSecrets();
        return (request, callback);
    }

    private static void AssertNothingStored(OAuthWorld world)
    {
        world.Grants.Grants.Should().BeEmpty();
        world.Grants.Saves.Should().Be(0);
        world.Authority.TokenRequests.Should().Be(0, "a refused callback never exchanges its code");
    }
}
