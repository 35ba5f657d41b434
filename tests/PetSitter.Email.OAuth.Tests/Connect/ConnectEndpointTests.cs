using System.Net;
using Microsoft.AspNetCore.WebUtilities;

namespace PetSitter.Email.OAuth.Tests.Connect;

/// <summary>The connect, callback and disconnect endpoints over plain HTTP against the real authorization server.</summary>
public sealed class ConnectEndpointTests
{
    [Fact]
    public async Task Connect_callback_stores_the_grant_checks_the_sign_in_and_returns_to_the_settings_page()
    {
        await using var app = await ConnectApp.StartAsync();
        using var owner = app.Client(ConnectApp.Owner);

        var callback = await StartAndSignInAsync(app, owner);
        using var response = await owner.GetAsync(callback);

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.Should().Be("/settings/email?oauth=connected&provider=Microsoft%20365");
        app.Grants.Grants.Should().ContainSingle().Which.Mailbox.Should().Be(ConnectApp.Mailbox);
        app.Smtp.AuthenticationsSucceeded.Should().BeGreaterThanOrEqualTo(1, "the callback signs in with XOAUTH2 before it says connected");
    }

    [Fact]
    public async Task A_callback_replayed_or_from_another_user_is_refused_and_stores_nothing()
    {
        await using var app = await ConnectApp.StartAsync();
        using var owner = app.Client(ConnectApp.Owner);
        using var other = app.Client(ConnectApp.OtherOwner);
        var callback = await StartAndSignInAsync(app, owner);

        using (var stolen = await other.GetAsync(callback))
        {
            stolen.StatusCode.Should().Be(HttpStatusCode.Forbidden, "the state was made for another app user");
        }

        app.Grants.Grants.Should().BeEmpty();

        using (var first = await owner.GetAsync(callback))
        {
            first.StatusCode.Should().Be(HttpStatusCode.Redirect, "someone else's attempt must not burn the owner's state");
        }

        await app.Grants.DeleteAsync(ConnectApp.Business, CancellationToken.None);
        using var replayed = await owner.GetAsync(callback);

        replayed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await replayed.Content.ReadAsStringAsync()).Should().Contain("already used");
        app.Grants.Grants.Should().BeEmpty("a replayed callback stores nothing");
    }

    [Fact]
    public async Task A_forged_state_is_refused_and_stores_nothing()
    {
        await using var app = await ConnectApp.StartAsync();
        using var owner = app.Client(ConnectApp.Owner);
        var callback = await StartAndSignInAsync(app, owner);
        var query = QueryHelpers.ParseQuery(new Uri(app.Address, callback).Query);
        var state = query["state"].ToString();
        var forged = state[..^2] + (state[^2] == 'A' ? "B" : "A") + state[^1];

        using var response = await owner.GetAsync($"/email/oauth/callback?code={Uri.EscapeDataString(query["code"].ToString())}&state={forged}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        app.Grants.Grants.Should().BeEmpty();
        app.Authority.TokenRequests.Should().Be(0, "a forged state never reaches the token endpoint");
    }

    [Fact]
    public async Task A_user_who_may_not_act_for_the_business_gets_403_and_no_authorization_request()
    {
        await using var app = await ConnectApp.StartAsync();
        using var other = app.Client(ConnectApp.OtherOwner);

        using var connect = await other.GetAsync($"/email/oauth/connect/microsoft?businessId={ConnectApp.Business}");
        using var anonymous = await app.Client(null).GetAsync($"/email/oauth/connect/microsoft?businessId={ConnectApp.Business}");

        connect.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    public async Task A_return_address_off_the_site_is_refused(string returnUrl)
    {
        await using var app = await ConnectApp.StartAsync();
        using var owner = app.Client(ConnectApp.Owner);

        using var response = await owner.GetAsync($"/email/oauth/connect/microsoft?businessId={ConnectApp.Business}&returnUrl={Uri.EscapeDataString(returnUrl)}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Disconnect_deletes_the_grant_and_needs_the_settings_page_antiforgery_token()
    {
        await using var app = await ConnectApp.StartAsync();
        using var owner = app.Client(ConnectApp.Owner);
        using (await owner.GetAsync(await StartAndSignInAsync(app, owner)))
        {
        }

        app.Grants.Grants.Should().ContainSingle();
        var page = await owner.GetStringAsync("/settings/email");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        token.Should().NotBeEmpty();

        using var noToken = await owner.PostAsync("/email/oauth/disconnect/microsoft", Form(("businessId", ConnectApp.Business)));
        noToken.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        app.Grants.Grants.Should().ContainSingle("a disconnect without the form's antiforgery token changes nothing");

        using var done = await owner.PostAsync("/email/oauth/disconnect/microsoft", Form(("businessId", ConnectApp.Business), ("__RequestVerificationToken", token), ("returnUrl", "/settings/email")));

        done.StatusCode.Should().Be(HttpStatusCode.Redirect);
        done.Headers.Location!.OriginalString.Should().StartWith("/settings/email?oauth=disconnected");
        app.Grants.Grants.Should().BeEmpty();
    }

    [Fact]
    public async Task An_owner_of_another_business_gets_403_on_disconnect_and_the_grant_stays()
    {
        await using var app = await ConnectApp.StartAsync();
        using var owner = app.Client(ConnectApp.Owner);
        using (await owner.GetAsync(await StartAndSignInAsync(app, owner)))
        {
        }

        using var other = app.Client(ConnectApp.OtherOwner);
        var page = await other.GetStringAsync("/settings/email");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        using var response = await other.PostAsync("/email/oauth/disconnect/microsoft", Form(("businessId", ConnectApp.Business), ("__RequestVerificationToken", token)));

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        app.Grants.Grants.Should().ContainSingle();
    }

    /// <summary>The owner presses Connect; the authorization server signs the mailbox in; returns the callback's path and query.</summary>
    private static async Task<string> StartAndSignInAsync(ConnectApp app, HttpClient owner)
    {
        using var connect = await owner.GetAsync($"/email/oauth/connect/microsoft?businessId={ConnectApp.Business}&returnUrl=%2Fsettings%2Femail");
        connect.StatusCode.Should().Be(HttpStatusCode.Redirect, await connect.Content.ReadAsStringAsync());
        var parameters = await app.Authority.AuthorizeAsync(connect.Headers.Location!, ConnectApp.Mailbox);
        app.RegisterIssuedSecrets();
        return QueryHelpers.AddQueryString("/email/oauth/callback", parameters);
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(static f => new KeyValuePair<string, string>(f.Name, f.Value)));
}
