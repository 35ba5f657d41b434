using PetSitter.Email;
using PetSitter.Email.OAuth;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSingleton<IBusinessEmailSettingsProvider, ConnectedMailboxSettings>();
builder.Services
    .AddPetSitterEmail(options => options.Native.PlatformFromAddress = "mailer@petsoftware.net")
    .AddOAuth(options =>
    {
        options.StateKey = builder.Configuration["Email:OAuth:StateKey"]; // openssl rand -base64 32, the same on every instance
        options.Microsoft.ClientId = builder.Configuration["Email:OAuth:Microsoft:ClientId"];
        options.Microsoft.ClientSecret = builder.Configuration["Email:OAuth:Microsoft:ClientSecret"];
        options.Google.ClientId = builder.Configuration["Email:OAuth:Google:ClientId"];
        options.Google.ClientSecret = builder.Configuration["Email:OAuth:Google:ClientSecret"];
    })
    .UseInMemoryGrantStore() // for a demo only: register your database's ISmtpOAuthGrantStore instead
    .UseOAuthEndpoints(options =>
    {
        // Who may connect a mailbox to which business: the app's own rule (here: a claim listing the user's businesses).
        options.AuthorizeBusiness = (http, businessId) => ValueTask.FromResult(http.User.HasClaim("business", businessId));
        options.DefaultReturnUrl = "/settings/email";
    });

var app = builder.Build();

// GET  /email/oauth/connect/microsoft?businessId=...&returnUrl=/settings/email  (the "Connect Microsoft 365" link)
// GET  /email/oauth/callback                  (register https://your.app/email/oauth/callback with Microsoft and Google)
// POST /email/oauth/disconnect/microsoft      (form: businessId, returnUrl, the antiforgery token)
// Back on the settings page: ?oauth=connected | ?oauth=failed&reason=... | ?oauth=disconnected
app.MapPetSitterEmailOAuth().RequireAuthorization();

// The button to show next to the advice: "Connect with Microsoft" after Basic auth is turned off, "Reconnect" after a revoked grant.
app.Services.GetRequiredService<IAccountHealthMonitor>().HealthChanged += (_, change) =>
    Console.WriteLine($"{change.BusinessId}: {change.Advice} [button: {change.RequiredAction}]");

app.Run();

sealed class ConnectedMailboxSettings(ISmtpOAuthGrantStore grants, ISmtpOAuthConnector oauth) : IBusinessEmailSettingsProvider
{
    public async ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken)
    {
        var grant = await grants.GetAsync(businessId, cancellationToken);
        return new BusinessEmailSettings
        {
            BusinessId = businessId,
            BusinessName = "Paws & Claws",
            ReplyToAddress = grant?.Mailbox ?? "hello@pawsandclaws.example",
            Smtp = grant is null ? null : oauth.CreateSmtpSettings(grant), // the mailbox from the ID token signs in with XOAUTH2
        };
    }
}
