namespace PetSitter.Email.Tests.Credentials;

/// <summary>How an account's credential is chosen, validated, fingerprinted and shown.</summary>
public sealed class CredentialSettingsTests
{
    private static readonly ISmtpAccessTokenProvider Tokens = new RecordingTokenProvider(_ => "ya29.never-read-here");

    [Fact]
    public void A_user_name_with_a_password_or_with_an_access_token_provider_is_valid()
    {
        Account(password: "app-password").Validate().Should().BeEmpty();
        Account(tokens: Tokens).Validate().Should().BeEmpty();
        Account(tokens: Tokens, grantId: "connected 2026-11-27").Validate().Should().BeEmpty();
        Account(user: null).Validate().Should().BeEmpty("no user name: the account sends without signing in");
    }

    [Fact]
    public void A_user_name_with_both_credentials_names_both_fields_and_how_to_choose()
    {
        var errors = Account(password: "app-password", tokens: Tokens).Validate("Smtp.");

        errors.Should().ContainSingle().Which.Should()
            .Contain("Smtp.Password").And.Contain("Smtp.AccessTokenProvider").And.Contain("remove the password to sign in with OAuth2");
    }

    [Fact]
    public void A_user_name_with_neither_credential_names_the_password_and_the_OAuth2_option()
    {
        var errors = Account().Validate("Smtp.");

        errors.Should().ContainSingle().Which.Should()
            .StartWith("Smtp.Password is empty but a user name is set").And.Contain("Smtp.AccessTokenProvider");
    }

    [Fact]
    public void An_access_token_provider_without_a_user_name_asks_for_the_user_name()
    {
        var errors = Account(user: null, tokens: Tokens).Validate();

        errors.Should().ContainSingle().Which.Should().StartWith("UserName is empty but an access token provider is set").And.Contain("XOAUTH2");
    }

    [Fact]
    public void A_grant_id_without_an_access_token_provider_is_refused()
    {
        Account(password: "app-password", grantId: "connected 2026-11-27").Validate()
            .Should().ContainSingle().Which.Should().StartWith("AccessTokenGrantId is set but no access token provider is");
    }

    [Fact]
    public void Reconnecting_the_account_changes_both_fingerprints_and_the_same_grant_keeps_them()
    {
        var before = Account(tokens: Tokens, grantId: "connected 2026-01-05");
        var same = Account(tokens: new RecordingTokenProvider(_ => "another instance, same type"), grantId: "connected 2026-01-05");
        var reconnected = Account(tokens: Tokens, grantId: "connected 2026-11-27");

        same.SettingsFingerprint().Should().Be(before.SettingsFingerprint(), "apps may build a provider per call: that is not a new credential");
        same.CredentialFingerprint().Should().Be(before.CredentialFingerprint());
        reconnected.SettingsFingerprint().Should().NotBe(before.SettingsFingerprint());
        reconnected.CredentialFingerprint().Should().NotBe(before.CredentialFingerprint());
    }

    [Fact]
    public void Switching_from_a_password_to_OAuth2_changes_both_fingerprints()
    {
        var password = Account(password: "app-password");
        var oauth = Account(tokens: Tokens);

        oauth.SettingsFingerprint().Should().NotBe(password.SettingsFingerprint());
        oauth.CredentialFingerprint().Should().NotBe(password.CredentialFingerprint());
        SmtpPoolKey.For(oauth, 3).Should().NotBe(SmtpPoolKey.For(password, 3), "connections signed in with the password are not reused");
    }

    [Fact]
    public void Fingerprinting_never_asks_the_provider_for_a_token()
    {
        var provider = new RecordingTokenProvider(_ => "ya29.x");
        var account = Account(tokens: provider);

        _ = account.SettingsFingerprint();
        _ = account.CredentialFingerprint();
        _ = account.Validate();
        _ = account.ToString();

        provider.Requests.Should().BeEmpty();
    }

    [Fact]
    public void ToString_says_OAuth2_and_shows_no_secret()
    {
        var oauth = Account(tokens: Tokens, grantId: "grant-42");

        oauth.ToString().Should().Contain("OAuth2 access token").And.NotContain("password").And.NotContain("ya29");
        Account(password: "app-password").ToString().Should().Contain("password ***").And.NotContain("app-password");
        new SmtpAccessTokenRequest(oauth, forceRefresh: true).ToString().Should().Be("access token for owner@gmail.test at smtp.gmail.com (refresh)");
    }

    [Fact]
    public void A_token_request_needs_an_account_with_a_user_name()
    {
        FluentActions.Invoking(() => new SmtpAccessTokenRequest(null!, false)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new SmtpAccessTokenRequest(Account(user: null), false)).Should().Throw<ArgumentException>().WithMessage("*UserName*");
    }

    [Theory]
    [InlineData("PLAIN LOGIN XOAUTH2", "PLAIN", "PLAIN")]
    [InlineData("XOAUTH2 OAUTHBEARER", null, null)]
    [InlineData("LOGIN XOAUTH2", "LOGIN", "LOGIN")]
    public void A_password_is_never_offered_to_a_token_mechanism(string offered, string? chosen, string? left)
    {
        var mechanisms = new HashSet<string>(offered.Split(' '), StringComparer.OrdinalIgnoreCase);

        SmtpSignIn.ChooseMechanism(Account(password: "app-password"), mechanisms).Should().Be(chosen);

        mechanisms.Should().BeEquivalentTo(left is null ? [] : new[] { left });
    }

    [Fact]
    public void An_OAuth2_account_uses_XOAUTH2_only_when_it_is_offered()
    {
        SmtpSignIn.ChooseMechanism(Account(tokens: Tokens), ["PLAIN", "LOGIN", "XOAUTH2"]).Should().Be("XOAUTH2");
        SmtpSignIn.ChooseMechanism(Account(tokens: Tokens), ["PLAIN", "LOGIN"]).Should().BeNull();
    }

    private static SmtpAccountSettings Account(string? user = "owner@gmail.test", string? password = null, ISmtpAccessTokenProvider? tokens = null, string? grantId = null) => new()
    {
        Host = "smtp.gmail.com",
        Port = 465,
        UserName = user,
        Password = password,
        AccessTokenProvider = tokens,
        AccessTokenGrantId = grantId,
        FromAddress = "owner@gmail.test",
    };
}
