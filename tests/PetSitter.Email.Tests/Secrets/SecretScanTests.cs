using System.Text;
using Microsoft.Extensions.Logging;
using PetSitter.Email.Tests.Support;

// Plain Log calls: a leaking log call is what these tests stage.
#pragma warning disable CA1848, CA2254

namespace PetSitter.Email.Tests.Secrets;

/// <summary>The scan itself: it sees secrets where they hide, names them without showing them, and is really on.</summary>
public sealed class SecretScanTests
{
    [Fact]
    public void The_scan_is_active_for_every_test_of_the_assembly() =>
        CapturedLogs.Current.Should().NotBeNull("the assembly-level hook opens a capture before each test method");

    [Fact]
    public void A_secret_logged_in_a_child_scope_is_reported_by_category_and_name_not_value()
    {
        // Scanned into a capture of its own, so this test's deliberate leak does not fail it.
        var capture = CapturedLogs.Begin();
        try
        {
            var logger = TestLogging.Factory.CreateLogger("Leaky.Component");
            using (logger.BeginScope("outer"))
            using (logger.BeginScope(new Dictionary<string, object?> { ["Password"] = TestSecrets.OwnerPassword }))
            {
                logger.LogInformation("inside");
            }
        }
        finally
        {
            CapturedLogs.Begin();
        }

        capture.Findings.Should().ContainSingle().Which.Should().Be(new SecretFinding("Leaky.Component", "a scope", nameof(TestSecrets.OwnerPassword)));
        capture.Findings.Single().ToString().Should().NotContain(TestSecrets.OwnerPassword);
    }

    [Fact]
    public void Secrets_in_the_message_in_state_values_and_in_exceptions_are_all_found()
    {
        var capture = CapturedLogs.Begin();
        try
        {
            var logger = TestLogging.Factory.CreateLogger("Leaky.Component");
            logger.LogWarning("Sign-in with {User} failed", TestSecrets.AppPassword);
            logger.LogError(new InvalidOperationException("outer", new InvalidOperationException($"inner {TestSecrets.AccessToken}")), "Failed");
        }
        finally
        {
            CapturedLogs.Begin();
        }

        capture.Findings.Select(f => (f.Part, f.SecretName)).Should().BeEquivalentTo(new[]
        {
            ("the message", nameof(TestSecrets.AppPassword)),
            ("a state value", nameof(TestSecrets.AppPassword)),
            ("the exception", nameof(TestSecrets.AccessToken)),
        });
    }

    [Theory]
    [InlineData("\0owner@paws.example\0" + TestSecrets.OwnerPassword)]
    [InlineData("user=owner@paws.example\u0001auth=Bearer " + TestSecrets.AccessToken + "\u0001\u0001")]
    public void A_secret_inside_base64_is_found(string payload)
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload));

        SecretScanner.Find($"501 5.5.2 Invalid AUTH PLAIN {encoded}").Should().ContainSingle();
        SecretScanner.Find($"501 5.5.2 Invalid AUTH PLAIN {encoded.TrimEnd('=')}").Should().ContainSingle("unpadded base64 hides it just as well");
    }

    [Theory]
    [InlineData("535-5.7.8 Username and Password not accepted. Learn more at https://support.google.com/mail/?p=BadCredentials x - gsmtp")]
    [InlineData("Is your email password correct? Signed in as owner@paws.example (AUTH PLAIN).")]
    [InlineData("SMTP settings for smtp.paws.example:587, user hello@paws.example, password ***")]
    public void Ordinary_text_is_not_a_find(string text) => SecretScanner.Find(text).Should().BeEmpty();

    [Fact]
    public void A_secret_too_short_to_scan_for_is_refused() =>
        FluentActions.Invoking(() => TestSecrets.Register("Tiny", "pw")).Should().Throw<ArgumentException>().WithMessage("*shorter than 6*");

    [Fact]
    public void The_hook_fails_a_test_with_a_find_and_never_prints_the_secret()
    {
        var hook = new ScanLogsForSecretsAttribute();
        var method = typeof(SecretScanTests).GetMethod(nameof(The_hook_fails_a_test_with_a_find_and_never_prints_the_secret))!;
        hook.Before(method);
        TestLogging.Factory.CreateLogger("Leaky.Component").LogDebug($"password={TestSecrets.RelayPassword}");

        var failure = FluentActions.Invoking(() => hook.After(method)).Should().Throw<SecretLeakedException>().Which;

        failure.Message.Should().Contain("Leaky.Component").And.Contain(nameof(TestSecrets.RelayPassword)).And.NotContain(TestSecrets.RelayPassword);
        CapturedLogs.Begin();
    }
}
